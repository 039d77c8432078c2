package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftlog.api.Bytes;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code raftlog kv put|get|cas|delete} in child JVMs against a one-node cluster (the default store, Netty) in
 * this one: what each prints, its exit status, and its one-line errors.
 */
class KvCommandIT {
    @TempDir
    Path data;

    private OneNodeCluster cluster;
    private NodeProcesses commands;

    @BeforeEach
    void startANode() throws Exception {
        cluster = new OneNodeCluster(data.resolve("n1"));
        commands = new NodeProcesses(data.resolve("commands"), 0);
    }

    @AfterEach
    void stop() {
        commands.close();
        cluster.close();
    }

    private NodeProcesses.Run kv(String... args) throws Exception {
        String[] command = new String[args.length + 3];
        command[0] = "kv";
        command[1] = "--servers";
        command[2] = cluster.servers();
        System.arraycopy(args, 0, command, 3, args.length);
        return commands.run(command);
    }

    @Test
    void putGetCompareAndSetAndDelete() throws Exception {
        NodeProcesses.Run put = kv("put", "colour", "red");
        assertThat(put.exitCode()).as(put.stderr()).isZero();
        assertThat(Long.parseLong(put.stdout().strip())).isPositive();

        assertThat(kv("get", "colour").stdout()).isEqualTo("red\n");

        NodeProcesses.Run swapped = kv("cas", "colour", "red", "green");
        assertThat(swapped.exitCode()).as(swapped.stderr()).isZero();
        assertThat(swapped.stdout()).isEqualTo("swapped\n");
        NodeProcesses.Run notSwapped = kv("cas", "colour", "red", "blue");
        assertThat(notSwapped.exitCode()).isEqualTo(KvCommand.NOT_FOUND_OR_NOT_SWAPPED);
        assertThat(notSwapped.stdout()).isEqualTo("not swapped\n");
        assertThat(kv("get", "colour").stdout()).isEqualTo("green\n");

        assertThat(kv("delete", "colour").exitCode()).isZero();
        NodeProcesses.Run absent = kv("get", "colour");
        assertThat(absent.exitCode()).isEqualTo(KvCommand.NOT_FOUND_OR_NOT_SWAPPED);
        assertThat(absent.stdout()).isEmpty();
        assertThat(absent.stderr()).contains("key 'colour' is absent");

        assertThat(kv("cas", "--absent", "colour", "blue").stdout()).isEqualTo("swapped\n");
        assertThat(kv("get", "colour").stdout()).isEqualTo("blue\n");
    }

    @Test
    void recordsThatAreNotWritesInTheLogAreSkipped() throws Exception {
        cluster.client.append(Bytes.ofUtf8("a record from raftlog produce")).get(10, TimeUnit.SECONDS);
        assertThat(kv("put", "k", "v").exitCode()).isZero();

        assertThat(kv("get", "k").stdout()).isEqualTo("v\n");
    }

    @Test
    void aTrimmedLogIsRefusedWithWhatToDo() throws Exception {
        assertThat(kv("put", "k", "v").exitCode()).isZero();
        long next = cluster.client.append(Bytes.ofUtf8("x")).get(10, TimeUnit.SECONDS);
        cluster.client.deleteRecordsBefore(next).get(10, TimeUnit.SECONDS);

        NodeProcesses.Run get = kv("get", "k");

        assertThat(get.exitCode()).isEqualTo(1);
        assertThat(get.stderr())
                .contains("error: the log starts at offset " + next)
                .contains("Keep the whole log");
    }

    @Test
    void badArgumentsAreUsageErrors() throws Exception {
        NodeProcesses.Run cas = kv("cas", "k", "new");
        assertThat(cas.exitCode()).isEqualTo(2);
        assertThat(cas.stderr()).contains("give KEY, EXPECTED and NEW, or --absent KEY NEW");

        NodeProcesses.Run empty = kv("put", "", "v");
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.stderr()).contains("KEY must not be empty").contains("raftlog kv put --help");

        NodeProcesses.Run none = commands.run("kv", "--servers", cluster.servers());
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.stderr()).contains("name an operation: put, get, cas or delete");
    }
}
