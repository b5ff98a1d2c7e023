package io.pgvault.examples.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The checkout the build checks read: the reactor root (the examples module's parent directory) and its poms. */
final class ProjectFiles {
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
    private static final Pattern PARENT_VERSION = Pattern.compile(
            "<artifactId>pgvault-parent</artifactId>\\s*<version>([^<]+)</version>");

    private ProjectFiles() {
    }

    /** @return the reactor root: surefire runs with the module directory as working directory */
    static Path root() {
        Path root = Path.of("..").toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("pom.xml")) || !Files.isDirectory(root.resolve("examples"))) {
            throw new IllegalStateException("run from the examples module: no reactor pom.xml in " + root);
        }
        return root;
    }

    /** @return the project version as the root pom declares it, e.g. {@code 0.6.0-SNAPSHOT} */
    static String projectVersion() {
        Matcher m = PARENT_VERSION.matcher(read(root().resolve("pom.xml")));
        if (!m.find()) {
            throw new IllegalStateException("the root pom declares no pgvault-parent version");
        }
        return m.group(1).trim();
    }

    /** @return the module directories the root pom lists, in its order */
    static List<Path> modules() {
        Matcher m = MODULE.matcher(read(root().resolve("pom.xml")));
        List<Path> modules = new ArrayList<>();
        while (m.find()) {
            modules.add(root().resolve(m.group(1).trim()));
        }
        return modules;
    }

    /** @return every Java file under the modules' {@code src} directories */
    static List<Path> javaSources() {
        List<Path> files = new ArrayList<>();
        for (Path module : modules()) {
            Path src = module.resolve("src");
            if (!Files.isDirectory(src)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(src)) {
                walk.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return files;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * @param version a version such as {@code 0.6.0-SNAPSHOT} or {@code 0.2}
     * @return its numeric parts, the qualifier dropped
     */
    static int[] numbers(String version) {
        String plain = version.replaceFirst("[-+].*$", "");
        String[] parts = plain.split("\\.");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Integer.parseInt(parts[i]);
        }
        return out;
    }

    /** @return negative, zero or positive as {@code a} is older than, the same as or newer than {@code b} */
    static int compare(String a, String b) {
        int[] x = numbers(a);
        int[] y = numbers(b);
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = Integer.compare(i < x.length ? x[i] : 0, i < y.length ? y[i] : 0);
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
