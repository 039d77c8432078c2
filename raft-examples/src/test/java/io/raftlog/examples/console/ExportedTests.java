package io.raftlog.examples.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Does with a test the console exported what its user does: compiles it and runs it. */
final class ExportedTests {
    private ExportedTests() {}

    /**
     * Compiles {@code source} (class {@code className}, default package) against this test's class
     * path in {@code dir}, then runs each of its {@code @Test} methods; an assertion that fails in
     * the exported test fails the caller.
     */
    static void compileAndRun(String source, String className, Path dir) throws Exception {
        Path file = dir.resolve(className + ".java");
        Files.writeString(file, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream messages = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(messages, true, StandardCharsets.UTF_8);
        int status = javac.run(
                null,
                out,
                out,
                "-classpath",
                System.getProperty("java.class.path"),
                "-d",
                dir.toString(),
                file.toString());
        assertThat(status)
                .as("the exported test compiles:\n" + messages.toString(StandardCharsets.UTF_8) + "\n" + source)
                .isZero();
        try (URLClassLoader loader =
                new URLClassLoader(new URL[] {dir.toUri().toURL()}, ExportedTests.class.getClassLoader())) {
            Class<?> test = loader.loadClass(className);
            int run = 0;
            for (Method method : test.getMethods()) {
                if (method.isAnnotationPresent(org.junit.jupiter.api.Test.class)) {
                    try {
                        method.invoke(test.getConstructor().newInstance());
                    } catch (InvocationTargetException e) {
                        throw new AssertionError("the exported test " + method.getName() + " failed", e.getCause());
                    }
                    run++;
                }
            }
            assertThat(run).as("the exported class has a test").isPositive();
        }
    }
}
