package io.pgvault.operations.metrics;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Micrometer is optional: only the metrics package may refer to it. */
class MicrometerIsolationTest {

    @Test
    @DisplayName("no class outside io.pgvault.operations.metrics refers to io.micrometer")
    void onlyMetricsUsesMicrometer() throws IOException, URISyntaxException {
        Path classes = Path.of(io.pgvault.operations.ConnectionSource.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI());
        List<Path> all;
        try (Stream<Path> files = Files.walk(classes)) {
            all = files.filter(p -> p.toString().endsWith(".class")).toList();
        }
        assertThat(all).anyMatch(p -> p.toString().contains("/schedule/"))
                .anyMatch(p -> p.toString().contains("/health/"));
        for (Path file : all) {
            boolean metrics = classes.relativize(file).toString().startsWith("io/pgvault/operations/metrics/");
            String constants = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            if (!metrics) {
                assertThat(constants).as(file.toString()).doesNotContain("io/micrometer");
            }
        }
        assertThat(new String(Files.readAllBytes(classes.resolve("io/pgvault/operations/metrics/VaultMetrics.class")),
                StandardCharsets.ISO_8859_1)).contains("io/micrometer");
    }
}
