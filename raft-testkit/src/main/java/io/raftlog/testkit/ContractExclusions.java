package io.raftlog.testkit;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Applies {@link ContractExclusion}s: registered on each contract suite with
 * {@code @ExtendWith}. At class level it checks that every exclusion names a test of the suite and
 * gives a reason; at method level it skips the excluded tests with their reason.
 */
public final class ContractExclusions implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        List<ContractExclusion> exclusions = exclusionsOf(testClass);
        Optional<Method> method = context.getTestMethod();
        if (method.isEmpty()) {
            Set<String> tests = testNames(testClass);
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
            return ConditionEvaluationResult.enabled("no test of this class is excluded as a whole");
        }
        String name = method.get().getName();
        for (ContractExclusion exclusion : exclusions) {
            if (exclusion.test().equals(name)) {
                return ConditionEvaluationResult.disabled(
                        "excluded by " + testClass.getSimpleName() + ": " + exclusion.reason());
            }
        }
        return ConditionEvaluationResult.enabled("not excluded");
    }

    private static List<ContractExclusion> exclusionsOf(Class<?> testClass) {
        List<ContractExclusion> found = new ArrayList<>();
        for (Class<?> type = testClass; type != null; type = type.getSuperclass()) {
            found.addAll(List.of(type.getDeclaredAnnotationsByType(ContractExclusion.class)));
        }
        return found;
    }

    private static Set<String> testNames(Class<?> testClass) {
        Set<String> names = new HashSet<>();
        for (Class<?> type = testClass; type != null; type = type.getSuperclass()) {
            for (Method method : type.getDeclaredMethods()) {
                if (method.isAnnotationPresent(Test.class)
                        || method.isAnnotationPresent(org.junit.jupiter.api.RepeatedTest.class)) {
                    names.add(method.getName());
                }
            }
        }
        return names;
    }
}
