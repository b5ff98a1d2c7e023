package io.pgvault.spi.postgres;

import io.pgvault.api.ConfigurationException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Paths reach pg_ctl's {@code -o}, which a shell parses: only plain ones are accepted, whoever builds the server. */
class ThrowawayServerTest {
    private static final ServerBinaries BINARIES = new ServerBinaries(Path.of("/nonexistent/bin"), "15.0", 15);

    @TempDir
    Path tmp;

    @Test
    @DisplayName("a base directory with shell syntax in its name is refused before anything is made")
    void shellInBase() throws Exception {
        Path base = Files.createDirectory(tmp.resolve("$(touch x)"));
        assertThatThrownBy(() -> ThrowawayServer.builder(BINARIES).baseDirectory(base).create())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("$(touch x)");
        try (Stream<Path> left = Files.list(base)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    @DisplayName("an adopted data directory with shell syntax in its name is refused before anything is made")
    void shellInDataDirectory() throws Exception {
        Path base = Files.createDirectory(tmp.resolve("work"));
        assertThatThrownBy(() -> ThrowawayServer.builder(BINARIES).baseDirectory(base)
                .existingDataDirectory(tmp.resolve("data;touch x")).create())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("data;touch x");
        try (Stream<Path> left = Files.list(base)) {
            assertThat(left).isEmpty();
        }
    }
}
