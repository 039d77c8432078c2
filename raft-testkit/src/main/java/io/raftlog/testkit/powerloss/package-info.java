/**
 * The power-loss half of {@link io.raftlog.testkit.LogStoreCrashContract}: a default file system
 * provider for its child JVM ({@link io.raftlog.testkit.powerloss.PowerLossFileSystemProvider})
 * that records what a power cut could still undo under the store's directory and simulates the
 * cuts. Not an API: only the provider is public, because the JVM instantiates it by name.
 */
package io.raftlog.testkit.powerloss;
