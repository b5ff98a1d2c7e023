package io.pgvault.examples;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The module rule of DESIGN.md: plugins and hosts compile against {@code io.pgvault.api} and {@code io.pgvault.spi}
 * only. Every Java file of every module but core (main and test sources) is read; none may name
 * {@code io.pgvault.internal}.
 */
class ArchitectureTest {
    private static final Pattern INTERNAL = Pattern.compile("\\bio\\.pgvault\\.internal\\b");

    @Test
    @DisplayName("nothing outside core imports or names io.pgvault.internal")
    void noInternalOutsideCore() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        assertThat(root.resolve("core/src/main/java/io/pgvault/internal")).isDirectory();
        List<String> offenders = new ArrayList<>();
        int files = 0;
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src"))).toList()) {
                if (module.getFileName().toString().equals("core")) {
                    continue;
                }
                try (Stream<Path> sources = Files.walk(module.resolve("src"))) {
                    for (Path file : sources.filter(p -> p.toString().endsWith(".java")
                            && !p.getFileName().toString().equals("ArchitectureTest.java")).toList()) {
                        files++;
                        List<String> lines = Files.readAllLines(file);
                        for (int i = 0; i < lines.size(); i++) {
                            if (INTERNAL.matcher(lines.get(i)).find()) {
                                offenders.add(root.relativize(file) + ":" + (i + 1) + ": " + lines.get(i).trim());
                            }
                        }
                    }
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
            }
        }
        assertThat(files).as("Java files read outside core").isGreaterThan(200);
        assertThat(offenders).isEmpty();
    }
}
