package io.raftlog.examples;

import static com.tngtech.archunit.base.DescribedPredicate.alwaysTrue;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The module arrows of DESIGN.md, checked on the compiled main classes of every library module
 * this module depends on: raft-api depends on the JDK only; plugins depend on raft-api, never on
 * raft-core; storage modules share raft-storage-files and nothing else; nothing depends on a
 * module to its right; Guice appears only in {@code *Module} classes; no library ships a
 * {@code main()} but the simulator's. (raft-storage-segment is not on this module's class path;
 * its pom lists raft-api and raft-storage-files only.)
 */
class ArchitectureTest {
    private static final String API = "io.raftlog.api..";
    private static final String CORE = "io.raftlog.core..";
    private static final String TESTKIT = "io.raftlog.testkit..";
    private static final String STORAGE = "io.raftlog.storage..";
    private static final String STORAGE_FILES = "io.raftlog.storage.files..";
    private static final String TRANSPORT = "io.raftlog.transport..";
    private static final String METRICS = "io.raftlog.metrics..";
    private static final String EXAMPLES = "io.raftlog.examples..";
    private static final String BENCH = "io.raftlog.bench..";
    private static final String[] LIBRARIES = {API, CORE, TESTKIT, STORAGE, TRANSPORT, METRICS};

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.raftlog");

    @Test
    void everyModuleIsImported() {
        for (String module : new String[] {API, CORE, TESTKIT, STORAGE, STORAGE_FILES, TRANSPORT, METRICS, EXAMPLES}) {
            String pkg = module.substring(0, module.length() - 2);
            assertThat(MAIN.stream().anyMatch(type -> type.getPackageName().startsWith(pkg)))
                    .as("classes of %s on the classpath", pkg)
                    .isTrue();
        }
    }

    @Test
    void theApiDependsOnTheJdkOnly() {
        check(classes()
                .that()
                .resideInAPackage(API)
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(API, "java..")
                .as("raft-api depends on nothing but the JDK"));
    }

    @Test
    void pluginsDependOnTheApiNeverOnTheCore() {
        check(noClasses()
                .that()
                .resideInAnyPackage(STORAGE, TRANSPORT)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(CORE, TESTKIT, METRICS, EXAMPLES, BENCH)
                .as("storage and transport plugins depend on raft-api, never on raft-core"));
        check(noClasses()
                .that()
                .resideInAPackage(STORAGE)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(TRANSPORT)
                .as("storage and transport know nothing of each other"));
        check(noClasses()
                .that()
                .resideInAPackage(TRANSPORT)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(STORAGE)
                .as("storage and transport know nothing of each other"));
    }

    @Test
    void storageModulesShareOnlyTheFileBuildingBlocks() {
        check(classes()
                .that()
                .resideInAPackage(STORAGE_FILES)
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(STORAGE_FILES, API, "java..", "org.slf4j..")
                .as("raft-storage-files depends on raft-api (and the SLF4J API) only, never on a store"));
        check(slices().matching("io.raftlog.storage.(*)..")
                .should()
                .notDependOnEachOther()
                .ignoreDependency(alwaysTrue(), resideInAPackage(STORAGE_FILES))
                .as("storage modules know nothing of each other but raft-storage-files"));
    }

    @Test
    void arrowsPointDown() {
        check(noClasses()
                .that()
                .resideInAPackage(CORE)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(TESTKIT, STORAGE, TRANSPORT, METRICS, EXAMPLES, BENCH)
                .as("raft-core depends only on raft-api (and its own libraries)"));
        check(noClasses()
                .that()
                .resideInAnyPackage(TESTKIT, METRICS)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(STORAGE, TRANSPORT, EXAMPLES, BENCH)
                .as("the testkit and the metrics use the SPIs, not particular plugins"));
        check(noClasses()
                .that()
                .resideInAnyPackage(LIBRARIES)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(EXAMPLES, BENCH)
                .as("no library depends on the application or the benchmarks"));
    }

    @Test
    void guiceOnlyInModules() {
        check(noClasses()
                .that()
                .resideInAnyPackage(LIBRARIES)
                .and()
                .haveSimpleNameNotEndingWith("Module")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("com.google.inject..")
                .as("only *Module classes import Guice: the SPIs and the runtime work without an injector"));
    }

    @Test
    void theCorePublicSurfaceHasNoInternalsOfPlugins() {
        check(noClasses()
                .that()
                .resideOutsideOfPackages("io.raftlog.transport.netty..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.raftlog.transport.netty.internal..")
                .as("the Netty transport's internal package stays internal"));
    }

    @Test
    void noLibraryShipsAMainMethodButTheSimulators() {
        check(methods()
                .that()
                .haveName("main")
                .and()
                .areStatic()
                .and()
                .areDeclaredInClassesThat()
                .resideInAnyPackage(API, CORE, STORAGE, TRANSPORT, METRICS)
                .should()
                .notBePublic()
                .allowEmptyShould(true)
                .as("library jars hold no main() (the simulator's command line lives in raft-testkit)"));
    }

    private static void check(ArchRule rule) {
        rule.check(MAIN);
    }
}
