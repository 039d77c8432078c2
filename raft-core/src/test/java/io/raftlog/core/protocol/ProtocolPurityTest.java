package io.raftlog.core.protocol;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import io.raftlog.core.purityfixture.ImpureFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the protocol package, and every package under it, a pure deterministic state machine
 * (DESIGN.md): no threads, locks, futures, clocks, I/O, ambient randomness or Guice. Checked on the
 * compiled classes (ArchUnit): the protocol may depend on raft-api, on itself, and on an allow-list
 * of the JDK; no method or field is synchronized or volatile. A synchronized block leaves no trace
 * a dependency rule can see, so the sources are scanned for it too.
 */
class ProtocolPurityTest {
    static final String PROTOCOL = "io.raftlog.core.protocol";

    /**
     * The JDK the protocol may use: values, collections, functions, sequential streams and an
     * injected random source.
     */
    private static final Set<String> ALLOWED_JDK_PACKAGES =
            Set.of("java.util", "java.util.function", "java.util.stream");

    private static final Set<String> BANNED_JDK_CLASSES = Set.of(
            "java.util.Random",
            "java.util.Timer",
            "java.util.TimerTask",
            "java.util.Date",
            "java.util.Calendar",
            "java.util.UUID",
            "java.util.Scanner",
            "java.util.Properties",
            "java.util.ServiceLoader",
            "java.util.SplittableRandom");

    private static final Set<String> BANNED_JAVA_LANG = Set.of(
            "java.lang.Thread",
            "java.lang.ThreadLocal",
            "java.lang.InheritableThreadLocal",
            "java.lang.Runtime",
            "java.lang.ProcessBuilder",
            "java.lang.Process",
            "java.lang.ClassLoader",
            "java.lang.StackWalker");

    private static final Pattern SYNCHRONIZED_BLOCK = Pattern.compile("\\bsynchronized\\s*\\(");

    /** The rules, for any package root, so the self-test can aim them at impure fixtures. */
    static List<ArchRule> purityRules(String root) {
        String tree = root + "..";
        return List.of(
                classes()
                        .that()
                        .resideInAPackage(tree)
                        .should()
                        .onlyDependOnClassesThat(pure(root))
                        .as("the protocol depends only on raft-api, itself and pure JDK types"),
                noClasses()
                        .that()
                        .resideInAPackage(tree)
                        .should()
                        .callMethod(System.class, "currentTimeMillis")
                        .orShould()
                        .callMethod(System.class, "nanoTime")
                        .orShould()
                        .callMethod(Math.class, "random")
                        .orShould()
                        .callMethod(System.class, "getenv", String.class)
                        .orShould()
                        .callMethod(System.class, "getProperty", String.class)
                        .orShould()
                        .callMethod(java.util.Collection.class, "parallelStream")
                        .orShould()
                        .callMethod(java.util.stream.Stream.class, "parallel")
                        .orShould()
                        .accessField(System.class, "out")
                        .orShould()
                        .accessField(System.class, "err")
                        .as("the protocol reads no clock, environment or console, and runs no parallel stream"),
                methods()
                        .that()
                        .areDeclaredInClassesThat()
                        .resideInAPackage(tree)
                        .should()
                        .notHaveModifier(JavaModifier.SYNCHRONIZED)
                        .as("no protocol method is synchronized"),
                fields().that()
                        .areDeclaredInClassesThat()
                        .resideInAPackage(tree)
                        .should()
                        .notHaveModifier(JavaModifier.VOLATILE)
                        .as("no protocol field is volatile"));
    }

    private static DescribedPredicate<JavaClass> pure(String root) {
        return DescribedPredicate.describe("are pure", target -> {
            JavaClass type = target.getBaseComponentType();
            String name = type.getName();
            String pkg = type.getPackageName();
            if (type.isPrimitive() || pkg.startsWith("io.raftlog.api") || pkg.startsWith(root)) {
                return true;
            }
            if (pkg.equals("java.lang")) {
                return !BANNED_JAVA_LANG.contains(name);
            }
            if (name.equals("java.util.random.RandomGenerator")) {
                return true; // injected: the protocol has no randomness of its own
            }
            return ALLOWED_JDK_PACKAGES.contains(pkg) && !BANNED_JDK_CLASSES.contains(name);
        });
    }

    @Test
    void theProtocolAndItsSubpackagesArePure() throws IOException {
        JavaClasses protocol = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(PROTOCOL);
        assertThat(protocol).as("protocol classes found").hasSizeGreaterThan(5);
        for (ArchRule rule : purityRules(PROTOCOL)) {
            rule.check(protocol);
        }
        assertThat(synchronizedBlocks(Path.of("src/main/java/io/raftlog/core/protocol")))
                .as("synchronized blocks in the protocol sources")
                .isEmpty();
    }

    @Test
    void theRulesCatchImpureCode() {
        JavaClasses impure = new ClassFileImporter().importClasses(ImpureFixture.class);
        List<String> failures = new ArrayList<>();
        for (ArchRule rule : purityRules(ImpureFixture.class.getPackageName())) {
            EvaluationResult result = rule.evaluate(impure);
            failures.addAll(result.getFailureReport().getDetails());
        }
        assertThat(String.join("\n", failures))
                .contains("ReentrantLock")
                .contains("java.time.Clock")
                .contains("nanoTime")
                .contains("has modifier SYNCHRONIZED")
                .contains("has modifier VOLATILE");
    }

    @Test
    void theSourceScanFindsASynchronizedBlock(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/Bad.java"), "class Bad { void f() { synchronized (this) { } } }");
        Files.writeString(dir.resolve("Good.java"), "class Good { /* not synchronized (here) */ }");
        assertThat(synchronizedBlocks(dir)).containsExactly("Bad.java");
    }

    private static List<String> synchronizedBlocks(Path root) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file :
                    files.filter(path -> path.toString().endsWith(".java")).toList()) {
                String code =
                        Files.readString(file).replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\\n]*", "");
                if (SYNCHRONIZED_BLOCK.matcher(code).find()) {
                    found.add(file.getFileName().toString());
                }
            }
        }
        return found;
    }
}
