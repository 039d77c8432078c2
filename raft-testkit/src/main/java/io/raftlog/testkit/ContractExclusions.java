package io.raftlog.testkit;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Applies {@link ContractExclusion}s: registered on each contract suite with
 * {@code @ExtendWith}. At class level it checks that every exclusion names a test of the suite and
 * gives a reason; at method level it skips the excluded tests with their reason.
 *
 * <p>A suite may group its tests in {@link Nested} inner classes (declared in the suite or in its
 * superclasses, and inheriting tests from their own superclasses). The tests of those groups count
 * as tests of the suite, and an exclusion on the plugin's class applies to them by name.
 */
public final class ContractExclusions implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<Method> method = context.getTestMethod();
        if (method.isEmpty()) {
            Class<?> testClass = context.getRequiredTestClass();
            if (testClass.isAnnotationPresent(Nested.class)) {
                return ConditionEvaluationResult.enabled("a group of the suite; checked with its enclosing class");
            }
            checkExclusions(testClass);
            return ConditionEvaluationResult.enabled("no test of this class is excluded as a whole");
        }
        String name = method.get().getName();
        for (Optional<ExtensionContext> level = Optional.of(context);
                level.isPresent();
                level = level.get().getParent()) {
            Optional<Class<?>> testClass = level.get().getTestClass();
            if (testClass.isEmpty()) {
                continue;
            }
            for (ContractExclusion exclusion : exclusionsOf(testClass.get())) {
                if (exclusion.test().equals(name)) {
                    return ConditionEvaluationResult.disabled(
                            "excluded by " + testClass.get().getSimpleName() + ": " + exclusion.reason());
                }
            }
        }
        return ConditionEvaluationResult.enabled("not excluded");
    }

    private static void checkExclusions(Class<?> testClass) {
        List<ContractExclusion> exclusions = exclusionsOf(testClass);
        if (exclusions.isEmpty()) {
            return;
        }
        Set<String> tests = new TreeSet<>();
        collectTestNames(testClass, tests);
        for (ContractExclusion exclusion : exclusions) {
            if (exclusion.reason().isBlank()) {
                throw new ExtensionConfigurationException(
                        testClass.getName() + " excludes '" + exclusion.test() + "' without a reason");
            }
            if (!tests.contains(exclusion.test())) {
                throw new ExtensionConfigurationException(testClass.getName() + " excludes '" + exclusion.test()
                        + "', which is not a test of its contract suite; its tests are " + tests);
            }
        }
    }

    private static List<ContractExclusion> exclusionsOf(Class<?> testClass) {
        List<ContractExclusion> found = new ArrayList<>();
        for (Class<?> type = testClass; type != null; type = type.getSuperclass()) {
            found.addAll(List.of(type.getDeclaredAnnotationsByType(ContractExclusion.class)));
        }
        return found;
    }

    /** The test methods of {@code testClass} and its superclasses, and of their nested groups. */
    private static void collectTestNames(Class<?> testClass, Set<String> names) {
        for (Class<?> type = testClass; type != null && type != Object.class; type = type.getSuperclass()) {
            for (Method method : type.getDeclaredMethods()) {
                if (method.isAnnotationPresent(Test.class) || method.isAnnotationPresent(RepeatedTest.class)) {
                    names.add(method.getName());
                }
            }
            for (Class<?> inner : type.getDeclaredClasses()) {
                if (inner.isAnnotationPresent(Nested.class)) {
                    collectTestNames(inner, names);
                }
            }
        }
    }
}
