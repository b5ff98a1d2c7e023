package io.pgvault.examples;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PruneTest {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

    private String output() {
        return buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("without --execute it is a dry run that reads its policy from the environment")
    void dryRunByDefault(@TempDir Path dir) {
        int code = Prune.run(List.of(), Map.of("BACKUP_DIR", dir.toString(), "BACKUP_RETENTION_DAILY", "7",
                "BACKUP_RETENTION_WEEKLY", "4", "BACKUP_RETENTION_MONTHLY", "12"), out);
        assertThat(code).isZero();
        assertThat(output()).contains("daily 7").contains("weekly 4").contains("monthly 12").contains("dry run");
    }

    @Test
    @DisplayName("invalid retention variables are all reported, with exit code 2")
    void invalidEnvironment(@TempDir Path dir) {
        int code = Prune.run(List.of("--execute"), Map.of("BACKUP_DIR", dir.toString(),
                "BACKUP_RETENTION_DAILY", "seven", "BACKUP_RETENTION_WEEKLY", "-1"), out);
        assertThat(code).isEqualTo(2);
        assertThat(output()).contains("BACKUP_RETENTION_DAILY").contains("BACKUP_RETENTION_WEEKLY");
    }

    @Test
    @DisplayName("an unknown argument prints the usage")
    void usage() {
        assertThat(Prune.run(List.of("--yes"), Map.of(), out)).isEqualTo(2);
        assertThat(output()).contains("usage");
    }
}
