package io.pgvault.backend.pgbackrest;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** verify's text report (pgBackRest 2.45, as seen in PgBackRestRetentionIT) reduced to its problems. */
class VerifyReportTest {
    @Test
    @DisplayName("a sound repo has no problem lines; a damaged set and its non-zero counts are listed")
    void problems() {
        String sound = """
                stanza: gfs
                status: ok
                  archiveId: 15-1, total WAL checked: 9, total valid WAL: 9
                    missing: 0, checksum invalid: 0, size invalid: 0, other: 0
                  backup: 20261121-194334F, status: valid, total files checked: 965, total valid files: 965
                """;
        assertThat(PgBackRest.problems(sound)).isEmpty();
        String damaged = sound.replace("status: ok", "status: error")
                .replace("status: valid, total files checked: 965, total valid files: 965",
                        "status: invalid, total files checked: 965, total valid files: 964\n      checksum invalid: 1");
        assertThat(PgBackRest.problems(damaged)).containsExactly(
                "backup: 20261121-194334F, status: invalid, total files checked: 965, total valid files: 964",
                "checksum invalid: 1");
    }
}
