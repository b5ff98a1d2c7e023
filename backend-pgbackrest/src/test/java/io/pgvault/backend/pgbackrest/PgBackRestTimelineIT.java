package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.testkit.Directories;
import io.pgvault.testkit.PgBackRestBinaries;
import io.pgvault.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A restore across a forked timeline on real pgBackRest 2.55.1 (issue 18, finding 5): the cluster is rewound by a
 * point-in-time restore to before the newest backup and promoted (timeline 2 forks before that backup, as after a
 * retried PITR or a failover). Restoring the newest backup then follows the latest timeline by default, which
 * pgBackRest 2.55 refuses with [058]; pgvault must call that a timeline problem (never advise stanza-delete), and
 * {@code targetTimeline(current)} must restore it on its own timeline.
 */
class PgBackRestTimelineIT {
    private static PgBackRestFixture f;
    private static BackupSet b1;
    private static long rowsAtB1;

    @BeforeAll
    static void setUp() {
        Path program = PgBackRestBinaries.pgbackrest255();
        f = PgBackRestFixture.start("fork", (b, base) -> b
                .executable(PgBackRestBinaries.runnableCopy(program, base).toString()));
        f.pg.psql("postgres", "CREATE TABLE t (v int); INSERT INTO t SELECT g FROM generate_series(1, 100) g;");
        BackupSet b0 = f.pgbr.backup(BackupType.FULL, 1);
        // the server's own clock, to the microsecond (the restore target's precision): after b0, before the rows
        // only timeline 1 will have
        Instant beforeB1 = Instant.parse(f.pg.queryValue("postgres",
                "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
        f.pg.psql("postgres", "INSERT INTO t SELECT g FROM generate_series(101, 300) g;");
        b1 = f.pgbr.backup(BackupType.FULL, 1);
        rowsAtB1 = Long.parseLong(f.pg.queryValue("postgres", "SELECT count(*) FROM t"));
        f.pgbr.check();

        // rewind production to before b1 and promote: timeline 2 forks before b1's start
        f.pg.stop();
        f.pgbr.restore(PhysicalRestoreRequest.builder().set(b0.id()).delta(true)
                .target(RestoreTarget.time(beforeB1)).targetAction(TargetAction.PROMOTE).build());
        f.pg.start();
        f.pg.awaitRecoveryEnd(PgBackRestFixture.RECOVERY);
        assertThat(f.pg.queryValue("postgres", "SELECT count(*) FROM t")).isEqualTo("100");
        assertThat(f.pg.queryValue("postgres", "SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)"))
                .isEqualTo("00000002");
        f.pg.psql("postgres", "INSERT INTO t VALUES (-1);");
        f.pgbr.check(); // the new timeline's history file and WAL are archived
    }

    @AfterAll
    static void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    @DisplayName("the newest backup to the latest timeline: [058] is a TIMELINE error whose remedy is "
            + "targetTimeline, never stanza-delete")
    void latestTimelineRefused() {
        Path data = f.newDirectory("latest");
        try {
            assertThatThrownBy(() -> f.pgbr.restore(PhysicalRestoreRequest.builder().set(b1.id())
                    .dataDirectory(data).build()))
                    .isInstanceOfSatisfying(PgBackRestException.class, e -> {
                        assertThat(e.pgBackRestError()).hasValue(58);
                        assertThat(e.kind()).isEqualTo(PgBackRestException.Kind.TIMELINE);
                        assertThat(e.getMessage()).contains("targetTimeline").doesNotContain("stanza-delete");
                    });
        } finally {
            Directories.deleteRecursively(data);
        }
    }

    @Test
    @DisplayName("targetTimeline(current) restores the newest backup on its own timeline, with its rows")
    void currentTimelineRestores() {
        Path data = f.newDirectory("current");
        f.pgbr.restore(PhysicalRestoreRequest.builder().set(b1.id()).dataDirectory(data)
                .targetTimeline(TargetTimeline.current()).build());
        try (PostgresCluster copy = f.startRestored(data)) {
            assertThat(Long.parseLong(copy.queryValue("postgres", "SELECT count(*) FROM t"))).isEqualTo(rowsAtB1);
            assertThat(copy.queryValue("postgres", "SELECT count(*) FROM t WHERE v = -1")).isEqualTo("0");
        } finally {
            Directories.deleteRecursively(data);
        }
    }
}
