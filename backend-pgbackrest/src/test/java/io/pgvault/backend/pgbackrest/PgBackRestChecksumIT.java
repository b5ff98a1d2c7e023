package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.PruneReport;
import io.pgvault.api.retention.RetentionPolicy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backup pgBackRest flags for a page checksum error (issue 18, finding 2), with real pgBackRest and a real
 * cluster with data checksums: one index page is overwritten on disk while the server is stopped (what a failing disk
 * does), a backup copies it and is flagged; REINDEX repairs it and the next backup is clean. The flagged set must stay
 * a complete set that retention keeps like any other.
 */
class PgBackRestChecksumIT {
    private static PgBackRestFixture f;
    private static String indexFile;
    private static BackupSet flagged;
    private static BackupSet clean;

    @BeforeAll
    static void setUp() throws IOException {
        f = PgBackRestFixture.start("sums", b -> b);
        f.pg.psql("postgres", "CREATE TABLE t (id int PRIMARY KEY, v text) WITH (autovacuum_enabled = false);"
                + "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 20000) g; VACUUM t; CHECKPOINT;");
        indexFile = f.pg.queryValue("postgres", "SELECT pg_relation_filepath('t_pkey')");
        f.pg.stop();
        try (RandomAccessFile raf = new RandomAccessFile(f.pg.dataDirectory().resolve(indexFile).toFile(), "rw")) {
            raf.seek(8192 + 1000); // block 1, past its header: the page's checksum no longer matches
            raf.write("a failing disk wrote this".getBytes(StandardCharsets.US_ASCII));
        }
        f.pg.start();
        flagged = f.pgbr.backup(BackupType.FULL, 1);
        f.pg.psql("postgres", "REINDEX TABLE t; INSERT INTO t VALUES (20001, 'after');");
        clean = f.pgbr.backup(BackupType.FULL, 1);
    }

    @AfterAll
    static void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    @DisplayName("the flagged set is COMPLETE, marked, and names the damaged file; the repaired one is clean")
    void flaggedIsComplete() {
        List<BackupSet> sets = f.pgbr.list(1);
        BackupSet listed = sets.stream().filter(s -> s.id().equals(flagged.id())).findFirst().orElseThrow();
        assertThat(listed.status()).isEqualTo(BackupStatus.COMPLETE);
        assertThat(listed.attributes()).containsEntry(PgBackRestBackup.ERROR, "true")
                .containsEntry(PgBackRestBackup.ERROR_FILES, "1");
        assertThat(f.pgbr.checksumErrors(1, flagged.id().value())).containsExactly(indexFile);
        BackupSet repaired = sets.stream().filter(s -> s.id().equals(clean.id())).findFirst().orElseThrow();
        assertThat(repaired.attributes()).containsEntry(PgBackRestBackup.ERROR, "false")
                .doesNotContainKey(PgBackRestBackup.ERROR_FILES);
        assertThat(f.pgbr.checksumErrors(1, clean.id().value())).isEmpty();
    }

    @Test
    @DisplayName("after the REINDEX and a clean backup, a plan keeping two sets deletes nothing")
    void retentionKeepsTheFlaggedSet() {
        PruneReport report = f.pgbr.applyRetention(RetentionPolicy.keepLast(2), 1, PruneMode.DRY_RUN);
        assertThat(report.plan().deleted()).isEmpty();
        assertThat(report.plan().kept()).extracting(d -> d.id()).containsExactly(flagged.id(), clean.id());
        PruneReport one = f.pgbr.applyRetention(RetentionPolicy.keepLast(1), 1, PruneMode.DRY_RUN);
        assertThat(one.plan().deleted()).extracting(d -> d.id()).containsExactly(flagged.id());
        assertThat(one.plan().deleted().get(0).reasons()).noneMatch(r -> r.toLowerCase().contains("fail"));
    }

    @Test
    @DisplayName("a restore of the flagged set to its end gives back the table as it was backed up")
    void flaggedSetRestores() {
        Path data = f.newDirectory("restored");
        f.pgbr.restore(PhysicalRestoreRequest.builder().dataDirectory(data).set(flagged.id())
                .target(RestoreTarget.immediate()).targetAction(TargetAction.PROMOTE).build());
        var restored = f.startRestored(data);
        try {
            assertThat(restored.queryValue("postgres", "SELECT count(*) FROM t")).isEqualTo("20000");
        } finally {
            restored.close();
        }
    }
}
