package io.raftlog.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Turns one test of a contract suite off for the annotated subclass, with the reason a reader of
 * the test report sees. The test is reported as skipped, with that reason; a name that matches no
 * test of the suite fails the whole class, so a typo or a renamed test never excludes nothing in
 * silence.
 *
 * <pre>{@code
 * @ContractExclusion(
 *         test = "readersDuringTruncationsSeeContiguousIntactEntries",
 *         reason = "this store is single-threaded by design; RaftNode is configured with one reader")
 * class MyLogStoreContractTest extends LogStoreContract { ... }
 * }</pre>
 *
 * <p>Honoured by every contract suite of this module ({@link LogStoreContract},
 * {@link SnapshotStoreContract}, {@link TransportContract} and the crash and corruption suites).
 * Exclude only what the plugin cannot do by design and say so in its documentation: an excluded
 * test is a rule the plugin does not keep.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Repeatable(ContractExclusion.List.class)
public @interface ContractExclusion {
    /** The name of the test method to turn off, as the test report shows it. */
    String test();

    /** Why this plugin does not keep that rule; must not be blank. */
    String reason();

    /** The container of repeated {@link ContractExclusion}s. */
    @Documented
    @Inherited
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    @interface List {
        ContractExclusion[] value();
    }
}
