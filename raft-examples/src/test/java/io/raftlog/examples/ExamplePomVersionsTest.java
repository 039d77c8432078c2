package io.raftlog.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The example plugin project ({@code raft-examples/plugin-file-store}) is written as a user's
 * standalone project: no parent, every version spelled out. So it repeats versions the parent pom
 * manages, and this test fails the build as soon as one of them differs — a plugin guide whose
 * example pins other versions than the release it documents teaches the wrong thing.
 */
class ExamplePomVersionsTest {
    /** Surefire runs tests in the module's directory, raft-examples. */
    private static final Path EXAMPLE = Path.of("plugin-file-store", "pom.xml");

    private static final Path PARENT = Path.of("..", "pom.xml");
    private static final Pattern PROPERTY = Pattern.compile("\\$\\{([^}]+)}");

    @Test
    void everyVersionInThePluginExampleIsTheOneTheParentManages() throws Exception {
        Pom parent = Pom.read(PARENT);
        Pom example = Pom.read(EXAMPLE);
        Map<String, String> managed = parent.versions();
        List<String> drifted = new ArrayList<>();
        example.versions().forEach((coordinates, version) -> {
            // raftlog's own artifacts (the BOM too, once there is one) are at the project's version.
            String expected = coordinates.startsWith("io.raftlog:") ? parent.version() : managed.get(coordinates);
            if (expected == null) {
                drifted.add(coordinates + " " + version + " (the parent pom manages no version of it)");
            } else if (!expected.equals(version)) {
                drifted.add(coordinates + " " + version + " (the parent has " + expected + ")");
            }
        });
        if (!parent.version().equals(example.version())) {
            drifted.add(
                    "the example's own version " + example.version() + " (the project is at " + parent.version() + ")");
        }
        if (!parent.version().equals(example.property("raftlog.version"))) {
            drifted.add("raftlog.version " + example.property("raftlog.version") + " (the project is at "
                    + parent.version() + ")");
        }

        assertThat(example.versions())
                .as("versions found in %s (if none, this test reads the pom wrongly)", EXAMPLE)
                .containsKeys("io.raftlog:raft-api", "org.apache.maven.plugins:maven-surefire-plugin");
        assertThat(example.property("maven.compiler.release"))
                .as("the example's Java release")
                .isEqualTo(parent.property("maven.compiler.release"));
        assertThat(drifted)
                .as("versions in %s that differ from the parent pom: change them there to the parent's", EXAMPLE)
                .isEmpty();
    }

    /** The parts of a pom this test compares, with properties resolved. */
    private record Pom(String version, Map<String, String> properties, Map<String, String> versions) {
        static Pom read(Path file) throws Exception {
            assertThat(Files.isRegularFile(file))
                    .as("%s exists", file.toAbsolutePath())
                    .isTrue();
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Element project = factory.newDocumentBuilder().parse(file.toFile()).getDocumentElement();
            Map<String, String> properties = new LinkedHashMap<>();
            for (Element property : children(child(project, "properties"))) {
                properties.put(property.getTagName(), property.getTextContent().trim());
            }
            String version = text(project, "version");
            properties.put("project.version", version);
            Map<String, String> versions = new LinkedHashMap<>();
            Element management = child(project, "dependencyManagement");
            collect(child(management, "dependencies"), "dependency", null, properties, versions);
            collect(child(project, "dependencies"), "dependency", null, properties, versions);
            Element build = child(project, "build");
            String plugins = "org.apache.maven.plugins";
            collect(child(child(build, "pluginManagement"), "plugins"), "plugin", plugins, properties, versions);
            collect(child(build, "plugins"), "plugin", plugins, properties, versions);
            return new Pom(version, properties, versions);
        }

        String property(String name) {
            return properties.get(name);
        }

        /** Records groupId:artifactId → version of each {@code kind} child of {@code list} that has a version. */
        private static void collect(
                Element list,
                String kind,
                String defaultGroup,
                Map<String, String> properties,
                Map<String, String> versions) {
            for (Element element : children(list)) {
                String version = text(element, "version");
                if (element.getTagName().equals(kind) && version != null) {
                    String group = text(element, "groupId");
                    String coordinates = (group == null ? defaultGroup : group) + ":" + text(element, "artifactId");
                    versions.put(coordinates, resolve(version, properties));
                }
            }
        }

        private static String resolve(String value, Map<String, String> properties) {
            Matcher matcher = PROPERTY.matcher(value);
            StringBuilder resolved = new StringBuilder();
            while (matcher.find()) {
                String replacement = properties.getOrDefault(matcher.group(1), matcher.group());
                matcher.appendReplacement(resolved, Matcher.quoteReplacement(replacement));
            }
            return matcher.appendTail(resolved).toString();
        }

        private static Element child(Element parent, String name) {
            for (Element element : children(parent)) {
                if (element.getTagName().equals(name)) {
                    return element;
                }
            }
            return null;
        }

        private static List<Element> children(Element parent) {
            List<Element> elements = new ArrayList<>();
            if (parent != null) {
                for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
                    if (node instanceof Element element) {
                        elements.add(element);
                    }
                }
            }
            return elements;
        }

        private static String text(Element parent, String name) {
            Element element = child(parent, name);
            return element == null ? null : element.getTextContent().trim();
        }
    }
}
