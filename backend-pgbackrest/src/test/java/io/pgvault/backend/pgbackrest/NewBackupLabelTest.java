package io.pgvault.backend.pgbackrest;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NewBackupLabelTest {

    @Test
    @DisplayName("the label a backup prints at info level is found among its other lines")
    void parsesLabel() {
        String out = """
                2026-11-21 20:01:02.123 P00   INFO: backup command begin 2.45: --exec-id=1-abc --repo=1 --type=incr
                2026-11-21 20:01:02.200 P00   INFO: last backup label = 20261121-200000F, version = 2.45
                2026-11-21 20:01:05.001 P00   INFO: new backup label = 20261121-200000F_20261121-200102I
                2026-11-21 20:01:05.100 P00   INFO: incr backup size = 24KB, file total = 980
                2026-11-21 20:01:05.300 P00   INFO: backup command end: completed successfully (3177ms)
                """;
        assertThat(PgBackRest.newBackupLabel(out)).contains("20261121-200000F_20261121-200102I");
    }

    @Test
    @DisplayName("a full's label, and nothing when no label was printed")
    void fullAndMissing() {
        assertThat(PgBackRest.newBackupLabel("P00   INFO: new backup label = 20261121-200000F\n"))
                .contains("20261121-200000F");
        assertThat(PgBackRest.newBackupLabel("P00   WARN: something\n")).isEmpty();
    }
}
