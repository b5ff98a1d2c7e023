package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import io.pgvault.api.PgVaultException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code info --output=json} in pgBackRest 2.45's shape (fields as seen in the integration tests). */
class InfoParserTest {
    private static final String JSON = """
            [{"archive":[{"database":{"id":1,"repo-key":1},"id":"15-1","max":"000000010000000000000007",
              "min":"000000010000000000000003"}],
             "backup":[
              {"archive":{"start":"000000010000000000000003","stop":"000000010000000000000003"},
               "backrest":{"format":5,"version":"2.45"},"database":{"id":1,"repo-key":1},"error":false,
               "info":{"delta":23083127,"repository":{"delta":2848688,"size":2848688},"size":23083127},
               "label":"20261121-193352F","lsn":{"start":"0/3000028","stop":"0/3000100"},"prior":null,
               "reference":null,"timestamp":{"start":1795289632,"stop":1795289635},"type":"full"},
              {"archive":{"start":"000000010000000000000005","stop":"000000010000000000000005"},
               "backrest":{"format":5,"version":"2.45"},"database":{"id":1,"repo-key":2},"error":true,
               "info":{"delta":8192,"repository":{"delta":1024,"size":2849712},"size":23091319},
               "label":"20261121-193352F_20261121-193410I","lsn":{"start":"0/5000028","stop":"0/5000100"},
               "prior":"20261121-193352F","reference":["20261121-193352F"],
               "timestamp":{"start":1795289650,"stop":1795289652},"type":"incr"}],
             "cipher":"aes-256-cbc",
             "db":[{"id":1,"repo-key":1,"system-id":7710710227325253864,"version":"15"}],
             "name":"main","repo":[{"cipher":"aes-256-cbc","key":1,"status":{"code":0,"message":"ok"}}],
             "status":{"code":0,"lock":{"backup":{"held":false}},"message":"ok"}},
             {"name":"other","backup":[],"db":[],"repo":[],"status":{"code":1,"message":"missing stanza path"}}]
            """;

    @Test
    @DisplayName("backups become sets: label as id, type, prior chain, times, WAL and LSN range, sizes, repo, error")
    void parses() {
        InfoParser.StanzaInfo info = InfoParser.parse(JSON, "main").orElseThrow();
        assertThat(info.backups()).hasSize(2);
        PgBackRestBackup full = info.backups().get(0);
        assertThat(full.type()).isEqualTo(BackupType.FULL);
        assertThat(full.prior()).isEmpty();
        assertThat(full.startedAt()).isEqualTo(Instant.ofEpochSecond(1795289632));
        assertThat(full.systemId()).contains("7710710227325253864");
        BackupSet incr = info.backups().get(1).toBackupSet("main");
        assertThat(incr.id().value()).isEqualTo("20261121-193352F_20261121-193410I");
        assertThat(incr.type()).isEqualTo(BackupType.INCR);
        assertThat(incr.status()).isEqualTo(BackupStatus.COMPLETE);
        assertThat(incr.dependsOn().orElseThrow().value()).isEqualTo("20261121-193352F");
        assertThat(incr.attributes()).containsEntry(PgBackRestBackup.REPO, "2")
                .containsEntry(PgBackRestBackup.WAL_START, "000000010000000000000005")
                .containsEntry(PgBackRestBackup.LSN_STOP, "0/5000100")
                .containsEntry(PgBackRestBackup.REPO_DELTA, "1024")
                .containsEntry(PgBackRestBackup.REFERENCE, "20261121-193352F")
                .containsEntry(PgBackRestBackup.ERROR, "true");
        assertThat(incr.duration().getSeconds()).isEqualTo(2);
        assertThat(info.repos()).singleElement().extracting(InfoParser.RepoStatus::code).isEqualTo(0);
    }

    @Test
    @DisplayName("a stanza info does not list is empty; an unknown stanza is absent; garbage is an error")
    void edges() {
        assertThat(InfoParser.parse(JSON, "other").orElseThrow().backups()).isEmpty();
        assertThat(InfoParser.parse(JSON, "nope")).isEmpty();
        assertThatThrownBy(() -> InfoParser.parse("WARN: something\n[", "main")).isInstanceOf(PgVaultException.class)
                .hasMessageContaining("JSON");
    }
}
