/**
 * JMH benchmarks. Build with {@code mvn -B -pl raft-bench -am package -DskipTests} and run
 * {@code java -jar raft-bench/target/benchmarks.jar [regex]}; {@code -Draftlog.bench.dir=DIR} puts
 * the scratch files on the disk to measure (default {@code java.io.tmpdir}). See
 * {@code docs/BENCHMARKS.md} for the recorded figures.
 */
package io.raftlog.bench;
