package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import io.pgvault.api.PgVaultException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

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

    /**
     * Two repos whose backup.info each number their own database history, as in pgBackRest's
     * test/src/module/command/infoTest.c (release/2.55.1): repo1 holds ids 1 (9.4) and 2 (9.5), repo2 only id 1
     * (9.5, another system-id than repo1's id 1).
     */
    private static final String TWO_REPOS = """
            [{"backup":[
              {"database":{"id":1,"repo-key":1},"label":"20201116-154900F","prior":null,"reference":null,
               "timestamp":{"start":1605541740,"stop":1605541802},"type":"full"},
              {"database":{"id":2,"repo-key":1},"label":"20201116-155000F","prior":null,"reference":null,
               "timestamp":{"start":1605799200,"stop":1605799203},"type":"full"},
              {"database":{"id":1,"repo-key":2},"label":"20201116-155010F","prior":null,"reference":null,
               "timestamp":{"start":1605799210,"stop":1605799213},"type":"full"}],
             "cipher":"mixed",
             "db":[{"id":1,"repo-key":1,"system-id":6625592122879095702,"version":"9.4"},
                   {"id":2,"repo-key":1,"system-id":6626363367545678089,"version":"9.5"},
                   {"id":1,"repo-key":2,"system-id":6626363367545678089,"version":"9.5"}],
             "name":"stanza1",
             "repo":[{"cipher":"none","key":1,"status":{"code":0,"message":"ok"}},
                     {"cipher":"aes-256-cbc","key":2,"status":{"code":0,"message":"ok"}}],
             "status":{"code":0,"message":"ok"}}]
            """;

    @Test
    @DisplayName("db entries are matched by repo and id: the same id in two repos keeps each repo's system-id")
    void dbPerRepo() {
        InfoParser.StanzaInfo info = InfoParser.parse(TWO_REPOS, "stanza1").orElseThrow();
        assertThat(info.backups()).extracting(PgBackRestBackup::label, PgBackRestBackup::repo,
                PgBackRestBackup::systemId, PgBackRestBackup::pgVersion).containsExactly(
                tuple("20201116-154900F", 1, Optional.of("6625592122879095702"), Optional.of("9.4")),
                tuple("20201116-155000F", 1, Optional.of("6626363367545678089"), Optional.of("9.5")),
                tuple("20201116-155010F", 2, Optional.of("6626363367545678089"), Optional.of("9.5")));
        assertThat(info.repos()).extracting(InfoParser.RepoStatus::key).containsExactly(1, 2);
    }

    @Test
    @DisplayName("output without repo-key (one repo) still finds its db entry")
    void withoutRepoKey() {
        String json = """
                [{"name":"main","backup":[{"database":{"id":1},"label":"20261121-193352F","type":"full",
                  "timestamp":{"start":1,"stop":2}}],"db":[{"id":1,"system-id":42,"version":"15"}],"repo":[],
                  "status":{"code":0,"message":"ok"}}]
                """;
        PgBackRestBackup b = InfoParser.parse(json, "main").orElseThrow().backups().get(0);
        assertThat(b.repo()).isEqualTo(1);
        assertThat(b.systemId()).contains("42");
    }
}
