package io.pgvault.examples.build;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README shows only compiled code: every {@code ```java} block is preceded by a line
 * {@code <!-- snippet: PATH#TAG -->} and equals the region between {@code // tag::TAG[]} and {@code // end::TAG[]}
 * in that source file, with the region's common indentation removed. The coordinates it shows carry the version the
 * root pom builds.
 */
class ReadmeSnippetsTest {
    private static final Pattern MARKER = Pattern.compile("<!--\\s*snippet:\\s*(\\S+)#(\\S+)\\s*-->");
    private static final Pattern VERSION = Pattern.compile("<version>([^<]+)</version>");

    @Test
    @DisplayName("every Java and YAML block of the README is a tagged region of a compiled (or bound) example, "
            + "character for character")
    void javaBlocksComeFromExamples() {
        List<Block> blocks = new ArrayList<>(blocks(readme(), "java"));
        assertThat(blocks).as("Java blocks in README.md").hasSizeGreaterThanOrEqualTo(3);
        blocks.addAll(blocks(readme(), "yaml"));
        List<String> problems = new ArrayList<>();
        for (Block b : blocks) {
            Matcher m = MARKER.matcher(b.before());
            if (!m.matches()) {
                problems.add("README.md:" + b.line() + ": a Java block without a '<!-- snippet: PATH#TAG -->' line "
                        + "right above it");
                continue;
            }
            Path source = ProjectFiles.root().resolve(m.group(1));
            if (!(source.startsWith(ProjectFiles.root().resolve("examples/src/main/java"))
                    || source.startsWith(ProjectFiles.root().resolve("examples-spring/src/main")))
                    || !Files.isRegularFile(source)) {
                problems.add("README.md:" + b.line() + ": " + m.group(1) + " is not a source of examples/src/main/java "
                        + "or examples-spring/src/main");
                continue;
            }
            String region;
            try {
                region = region(ProjectFiles.read(source), m.group(2));
            } catch (IllegalArgumentException e) {
                problems.add("README.md:" + b.line() + ": " + m.group(1) + ": " + e.getMessage());
                continue;
            }
            if (!region.equals(b.text())) {
                problems.add("README.md:" + b.line() + " differs from " + m.group(1) + "#" + m.group(2)
                        + "; the region reads:\n" + region);
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    @DisplayName("the coordinates in the README carry the project version of pom.xml")
    void coordinatesCarryTheProjectVersion() {
        String version = ProjectFiles.projectVersion();
        List<String> versions = new ArrayList<>();
        for (Block b : blocks(readme(), "xml")) {
            Matcher m = VERSION.matcher(b.text());
            while (m.find()) {
                versions.add(m.group(1).trim());
            }
        }
        assertThat(versions).as("<version>s in the README's xml blocks").isNotEmpty().allMatch(version::equals);
    }

    @Test
    @DisplayName("a region is cut at its tags and loses its common indentation")
    void regionsAreCutAndDedented() {
        String source = "class A {\n    void f() {\n        // tag::x[]\n        int a = 1;\n"
                + "            // nested\n        // end::x[]\n    }\n}\n";
        assertThat(region(source, "x")).isEqualTo("int a = 1;\n    // nested");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> region(source, "y"));
        List<Block> blocks = blocks("text\n<!-- snippet: a#b -->\n```java\nint a;\n```\n", "java");
        assertThat(blocks).containsExactly(new Block(3, "<!-- snippet: a#b -->", "int a;"));
    }

    private static String readme() {
        return ProjectFiles.read(ProjectFiles.root().resolve("README.md"));
    }

    /** A fenced block: the line of its opening fence (1-based), the line above the fence, and its text. */
    record Block(int line, String before, String text) {
    }

    static List<Block> blocks(String markdown, String language) {
        String[] lines = markdown.split("\n", -1);
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].startsWith("```")) {
                continue;
            }
            String lang = lines[i].substring(3).trim();
            int end = i + 1;
            while (end < lines.length && !lines[end].startsWith("```")) {
                end++;
            }
            if (lang.equals(language)) {
                List<String> body = new ArrayList<>();
                for (int j = i + 1; j < end; j++) {
                    body.add(lines[j]);
                }
                out.add(new Block(i + 1, i > 0 ? lines[i - 1].trim() : "", String.join("\n", body)));
            }
            i = end;
        }
        return out;
    }

    static String region(String source, String tag) {
        String[] lines = source.split("\n", -1);
        int start = -1;
        int end = -1;
        for (int i = 0; i < lines.length; i++) {
            String t = lines[i].trim();
            // Java regions are marked with //, YAML ones with #
            if (t.equals("// tag::" + tag + "[]") || t.equals("# tag::" + tag + "[]")) {
                start = i + 1;
            } else if (t.equals("// end::" + tag + "[]") || t.equals("# end::" + tag + "[]")) {
                end = i;
            }
        }
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("no region '// tag::" + tag + "[]' .. '// end::" + tag + "[]'");
        }
        int indent = Integer.MAX_VALUE;
        for (int i = start; i < end; i++) {
            if (!lines[i].isBlank()) {
                indent = Math.min(indent, lines[i].length() - lines[i].stripLeading().length());
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = start; i < end; i++) {
            out.add(lines[i].isBlank() ? "" : lines[i].substring(indent).stripTrailing());
        }
        return String.join("\n", out);
    }
}
