package io.raftlog.examples;

import io.raftlog.api.NodeId;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses the command line's addresses; every problem is an {@link IllegalArgumentException} with a usable message. */
final class Addresses {
    private Addresses() {}

    /** {@code HOST:PORT}. */
    static InetSocketAddress parse(String flag, String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException(flag + " expects HOST:PORT, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " expects a numeric port in '" + text + "'");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException(flag + " port must be 0..65535, got " + port);
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException(flag + ": cannot resolve host '" + host + "'");
        }
        return address;
    }

    /** {@code HOST:PORT[,HOST:PORT...]}. */
    static List<InetSocketAddress> parseList(String flag, String text) {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                addresses.add(parse(flag, part.trim()));
            }
        }
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException(flag + " needs at least one HOST:PORT");
        }
        return addresses;
    }

    /** {@code ID=HOST:PORT[,ID=HOST:PORT...]}. */
    static Map<NodeId, InetSocketAddress> parsePeers(String flag, String text) {
        Map<NodeId, InetSocketAddress> peers = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            int equals = part.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException(flag + " expects ID=HOST:PORT entries, got '" + part.trim() + "'");
            }
            NodeId id = NodeId.of(part.substring(0, equals).trim());
            if (peers.put(id, parse(flag, part.substring(equals + 1).trim())) != null) {
                throw new IllegalArgumentException(flag + " names node " + id + " twice");
            }
        }
        return peers;
    }
}
