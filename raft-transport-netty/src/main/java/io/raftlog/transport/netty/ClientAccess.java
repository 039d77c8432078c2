package io.raftlog.transport.netty;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What each client may do on a node: produce (append), consume (read, read index) and administer
 * (membership changes, deleting records). A client is known by the principal its TLS certificate
 * names (subjectAltName URI {@code urn:raftlog:client:<name>}); a client without one, or with a
 * principal not listed, gets {@code others}. Any admitted client may ask for status. A request
 * beyond its permissions fails with {@code NOT_AUTHORIZED} (the client's {@link
 * io.raftlog.api.NotAuthorizedException}), never silently.
 *
 * @param principals the permissions of each principal
 * @param others     the permissions of every other client
 */
public record ClientAccess(Map<String, Set<Permission>> principals, Set<Permission> others) {
    /** What a client may do. */
    public enum Permission {
        /** Append records. */
        PRODUCE,
        /** Read records and ask for a read index. */
        CONSUME,
        /** Change the membership and delete records. */
        ADMINISTER;

        String verb() {
            return switch (this) {
                case PRODUCE -> "produce";
                case CONSUME -> "consume";
                case ADMINISTER -> "administer";
            };
        }
    }

    /** Every client may do everything: the default, and what a node without access rules does. */
    public static final ClientAccess OPEN = new ClientAccess(Map.of(), EnumSet.allOf(Permission.class));

    public ClientAccess {
        Map<String, Set<Permission>> copy = new LinkedHashMap<>();
        principals.forEach((name, granted) -> copy.put(Objects.requireNonNull(name), Set.copyOf(granted)));
        principals = Map.copyOf(copy);
        others = Set.copyOf(others);
    }

    /** The permissions of {@code principal} (null: a client without one). */
    public Set<Permission> of(String principal) {
        return principal == null ? others : principals.getOrDefault(principal, others);
    }

    /**
     * Parses {@code name=perm+perm,...} with {@code *} for every other client and {@code none} for
     * no permission, e.g. {@code producer-1=produce,audit=consume,ops=produce+consume+administer,*=none}.
     * A rule list without {@code *} gives other clients nothing.
     */
    public static ClientAccess parse(String rules) {
        Map<String, Set<Permission>> principals = new LinkedHashMap<>();
        Set<Permission> others = EnumSet.noneOf(Permission.class);
        for (String rule : rules.split(",")) {
            String trimmed = rule.trim();
            int equals = trimmed.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("a client access rule is NAME=PERMISSIONS (produce, consume,"
                        + " administer joined by +, or none; NAME * for every other client), got '" + trimmed + "'");
            }
            String name = trimmed.substring(0, equals).trim();
            Set<Permission> granted = EnumSet.noneOf(Permission.class);
            for (String word : trimmed.substring(equals + 1).split("\\+")) {
                String permission = word.trim().toLowerCase(Locale.ROOT);
                if (permission.equals("none")) {
                    continue;
                }
                try {
                    granted.add(Permission.valueOf(permission.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException unknown) {
                    throw new IllegalArgumentException("unknown client permission '" + word.trim() + "' in '" + trimmed
                            + "': use produce, consume, administer or none");
                }
            }
            if (name.equals("*")) {
                others = granted;
            } else if (principals.put(name, granted) != null) {
                throw new IllegalArgumentException("client '" + name + "' has two access rules");
            }
        }
        return new ClientAccess(principals, others);
    }
}
