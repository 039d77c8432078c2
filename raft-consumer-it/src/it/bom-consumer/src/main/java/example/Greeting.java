package example;

import io.raftlog.api.Bytes;

/** Compiles against raft-api, whose version came from raft-bom. */
public final class Greeting {
    private Greeting() {}

    public static Bytes hello() {
        return Bytes.ofUtf8("hello");
    }
}
