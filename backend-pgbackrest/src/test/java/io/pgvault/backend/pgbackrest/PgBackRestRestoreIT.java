package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.MatrixPair;
import io.pgvault.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Point-in-time and chain restores with real pgBackRest 2.45 and PostgreSQL 15, from one cluster and stanza: a full
 * backup, then 1000 'test' rows, a noted time, LSN and restore point, then 1000 'after' rows, all archived. Subclasses
 * run the same plan on another {@link MatrixPair} ({@link #pair()}); those that run only the PITR plan
 * ({@link #pitrOnly()}) skip the rest with that reason.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgBackRestRestoreIT {
    private PgBackRestFixture f;
    private BackupSet full;
    private Instant noted;
    private String lsn;
    private String xid;

    /** @return the versions this class runs on */
    MatrixPair pair() {
        return MatrixPair.PG15_PGBR245;
    }

    /** @return whether only the PITR plan (and the listing it starts from) runs on {@link #pair()} */
    boolean pitrOnly() {
        return false;
    }

    private void fullPlanOnly() {
        assumeFalse(pitrOnly(), () -> pair() + " runs the PITR 1000/0 plan only, to keep the suite short");
    }

    @BeforeAll
    void setUp() {
        pair().assumeInstalled();
        // repo1 encrypted (the fixture's), repo2 a plain posix repo: archive-push writes to both
        f = PgBackRestFixture.start(pair(), "pitr",
                (b, base) -> b.repo(PgBackRestRepo.posix(base.resolve("repo2")).build()));
        f.pg.psql("postgres", "CREATE TABLE marks (id serial PRIMARY KEY, tag text NOT NULL);"
                + "INSERT INTO marks (tag) SELECT 'base' FROM generate_series(1, 10);");
        full = f.pgbr.backup(BackupType.FULL, 1);
        // pgBackRest records stop times in whole seconds and picks a set for a time target only when it stopped
        // strictly before it: a target in the same second as the stop would find no set
        f.pg.psql("postgres", "SELECT pg_sleep_until(to_timestamp(" + (full.finishedAt().getEpochSecond() + 1)
                + ") + interval '50 milliseconds')");
        xid = f.pg.queryValue("postgres", "BEGIN; INSERT INTO marks (tag) SELECT 'test' FROM generate_series(1, 1000);"
                + " SELECT pg_current_xact_id(); COMMIT;");
        noted = Instant.parse(f.pg.queryValue("postgres",
                "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
        // the insert position: with synchronous_commit = off the written position may lag behind the commit
        lsn = f.pg.queryValue("postgres", "SELECT pg_current_wal_insert_lsn()");
        f.pg.psql("postgres", "SELECT pg_create_restore_point('before-after');");
        f.pg.psql("postgres", "INSERT INTO marks (tag) SELECT 'after' FROM generate_series(1, 1000);");
        f.pgbr.check(); // switches WAL and waits until the segment with the 'after' rows is archived
    }

    @AfterAll
    void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    private static Map<String, Long> tags(PostgresCluster copy) {
        return Map.of("base", count(copy, "base"), "test", count(copy, "test"), "after", count(copy, "after"));
    }

    private static long count(PostgresCluster c, String tag) {
        return Long.parseLong(c.queryValue("postgres", "SELECT count(*) FROM marks WHERE tag = '" + tag + "'"));
    }

    @Test
    @DisplayName("two repos in one stanza: a backup goes to the repo asked for, lists there only, restores from it")
    void perRepo() {
        fullPlanOnly();
        BackupSet second = f.pgbr.backup(BackupType.FULL, 2);
        assertThat(second.attribute(PgBackRestBackup.REPO)).contains("2");
        assertThat(f.pgbr.list(2)).extracting(BackupSet::id).containsExactly(second.id());
        assertThat(f.pgbr.list(1)).extracting(BackupSet::id).doesNotContain(second.id()).contains(full.id());
        assertThat(f.pgbr.info()).extracting(BackupSet::id).contains(full.id(), second.id());
        Path dir = f.newDirectory("repo2");
        f.pgbr.restore(PhysicalRestoreRequest.builder().repo(2).set(second.id()).target(RestoreTarget.immediate())
                .targetAction(TargetAction.PROMOTE).dataDirectory(dir).build());
        try (PostgresCluster copy = f.startRestored(dir)) {
            assertThat(tags(copy)).containsExactlyInAnyOrderEntriesOf(Map.of("base", 10L, "test", 1000L, "after",
                    1000L));
        }
    }

    @Test
    @DisplayName("pgbackrest.conf and the secrets include file are 0600 and the server's; only the latter has the "
            + "passphrase")
    void configFiles() throws Exception {
        fullPlanOnly();
        Path conf = f.config.configFile();
        Path secrets = f.config.includeDirectory().resolve("pgvault-secrets.conf");
        for (Path p : List.of(conf, secrets)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p))).isEqualTo("rw-------");
            assertThat(Files.getOwner(p).getName()).isEqualTo(f.pg.osUser().orElse(System.getProperty("user.name")));
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f.config.includeDirectory())))
                .isEqualTo("rwx------");
        assertThat(Files.readString(conf)).doesNotContain(PgBackRestFixture.CIPHER.reveal())
                .contains("repo1-cipher-type=aes-256-cbc");
        assertThat(Files.readString(secrets)).contains("repo1-cipher-pass=" + PgBackRestFixture.CIPHER.reveal());
        assertThat(f.pg.queryValue("postgres", "SHOW archive_command")).isEqualTo(f.pgbr.archiveCommand())
                .doesNotContain(PgBackRestFixture.CIPHER.reveal());
    }

    @Test
    @DisplayName("the full backup is listed from info with its label, type, times, WAL range and sizes")
    void listsTheBackup() {
        assertThat(full.type()).isEqualTo(BackupType.FULL);
        assertThat(full.id().value()).matches("\\d{8}-\\d{6}F");
        assertThat(full.source()).isEqualTo("pitr");
        assertThat(full.dependsOn()).isEmpty();
        assertThat(full.attribute(PgBackRestBackup.REPO)).contains("1");
        assertThat(full.attribute(PgBackRestBackup.WAL_START)).hasValueSatisfying(w -> assertThat(w).hasSize(24));
        assertThat(Long.parseLong(full.attribute(PgBackRestBackup.SIZE).orElseThrow())).isGreaterThan(1_000_000);
        assertThat(full.finishedAt()).isAfterOrEqualTo(full.startedAt());
        assertThat(f.pgbr.list(1)).extracting(BackupSet::id).contains(full.id());
    }

    @Test
    @DisplayName("PITR to the noted time into a new data directory, started on another port: 1000 test, 0 after")
    void pointInTime() {
        Path dir = f.newDirectory("pitr-time");
        PhysicalRestoreResult r = f.pgbr.restore(PhysicalRestoreRequest.builder()
                .target(RestoreTarget.time(noted)).targetAction(TargetAction.PROMOTE)
                .dataDirectory(dir).startOnPort(PgBackRestFixture.freePort()).build());
        try (RunningCopy copy = r.copy().orElseThrow()) {
            assertThat(copy.inRecovery()).isFalse();
            assertThat(copy.queryValue("postgres", "SELECT count(*) FROM marks WHERE tag = 'test'")).isEqualTo("1000");
            assertThat(copy.queryValue("postgres", "SELECT count(*) FROM marks WHERE tag = 'after'")).isEqualTo("0");
            assertThat(copy.queryValue("postgres", "SHOW archive_mode")).isEqualTo("off");
        }
        assertThat(r.dataDirectory()).isEqualTo(dir);
        assertThat(f.pg.queryValue("postgres", "SELECT count(*) FROM marks")).isEqualTo("2010");
        PgBackRestFixture.delete(dir);
    }

    @Test
    @DisplayName("a target beyond the archived WAL: the copy stops and restore fails at once, naming the log, "
            + "instead of waiting out the command timeout")
    void targetBeyondTheWal() {
        fullPlanOnly();
        Path dir = f.newDirectory("beyond");
        PhysicalRestoreRequest request = PhysicalRestoreRequest.builder()
                .target(RestoreTarget.time(Instant.now().plus(Duration.ofDays(1)))).targetAction(TargetAction.PROMOTE)
                .dataDirectory(dir).startOnPort(PgBackRestFixture.freePort()).build();
        assertThatThrownBy(() -> f.pgbr.restore(request)).isInstanceOfSatisfying(PgVaultException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.TOOL_FAILED);
            // during recovery after the copy accepted connections, or before (then pg_ctl start itself fails)
            assertThat(e.getMessage()).contains("stopped during", dir.resolve("pgvault-copy.log").toString(),
                    "recovery ended before configured recovery target was reached");
        });
        PgBackRestFixture.delete(dir);
    }

    @Test
    @DisplayName("startOnPort on a port another process holds: the error names the port as in use, not the recovery "
            + "target; the restored directory then starts on a free port")
    void busyPort() throws java.io.IOException {
        fullPlanOnly();
        Path dir = f.newDirectory("busy-port");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            PhysicalRestoreRequest request = PhysicalRestoreRequest.builder().target(RestoreTarget.immediate())
                    .targetAction(TargetAction.PROMOTE).dataDirectory(dir).startOnPort(port).build();
            assertThatThrownBy(() -> f.pgbr.restore(request)).isInstanceOfSatisfying(PgVaultException.class, e -> {
                assertThat(e.getMessage()).contains("port " + port + " is in use", "startCopy",
                        dir.resolve("pgvault-copy.log").toString()).doesNotContain("recovery target");
            });
        }
        try (RunningCopy copy = f.pgbr.startCopy(dir, PgBackRestFixture.freePort())) {
            copy.awaitRecoveryEnd(PgBackRestFixture.RECOVERY);
            assertThat(copy.queryValue("postgres", "SELECT count(*) FROM marks WHERE tag = 'base'")).isEqualTo("10");
        }
        PgBackRestFixture.delete(dir);
    }

    @Test
    @DisplayName("paused at the noted time for inspection: still in recovery, readable, 1000 test and 0 after rows")
    void pausedForInspection() {
        fullPlanOnly();
        Path dir = f.newDirectory("paused");
        PhysicalRestoreResult r = f.pgbr.restore(PhysicalRestoreRequest.builder()
                .target(RestoreTarget.time(noted)).targetAction(TargetAction.PAUSE)
                .dataDirectory(dir).startOnPort(PgBackRestFixture.freePort()).build());
        try (RunningCopy copy = r.copy().orElseThrow()) {
            assertThat(copy.inRecovery()).isTrue();
            // hot standby answers once recovery is paused at the target (the pause is reached shortly after start)
            long deadline = System.nanoTime() + PgBackRestFixture.RECOVERY.toNanos();
            while (!"t".equals(copy.queryValue("postgres", "SELECT pg_is_wal_replay_paused()"))
                    && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(copy.queryValue("postgres", "SELECT pg_is_wal_replay_paused()")).isEqualTo("t");
            assertThat(copy.queryValue("postgres", "SELECT count(*) FROM marks WHERE tag = 'test'")).isEqualTo("1000");
            assertThat(copy.queryValue("postgres", "SELECT count(*) FROM marks WHERE tag = 'after'")).isEqualTo("0");
        }
        PgBackRestFixture.delete(dir);
    }

    @Test
    @DisplayName("latest replays every archived segment: 1000 test and 1000 after")
    void latest() {
        fullPlanOnly();
        Path dir = f.newDirectory("latest");
        f.pgbr.restore(PhysicalRestoreRequest.builder().dataDirectory(dir).build());
        try (PostgresCluster copy = f.startRestored(dir)) {
            assertThat(tags(copy)).containsExactlyInAnyOrderEntriesOf(Map.of("base", 10L, "test", 1000L, "after",
                    1000L));
        }
    }

    @Test
    @DisplayName("immediate stops when the full backup is consistent: only the base rows")
    void immediate() {
        fullPlanOnly();
        Path dir = f.newDirectory("immediate");
        f.pgbr.restore(PhysicalRestoreRequest.builder().set(full.id()).target(RestoreTarget.immediate())
                .targetAction(TargetAction.PROMOTE).dataDirectory(dir).build());
        try (PostgresCluster copy = f.startRestored(dir)) {
            assertThat(tags(copy)).containsExactlyInAnyOrderEntriesOf(Map.of("base", 10L, "test", 0L, "after", 0L));
        }
    }

    @Test
    @DisplayName("a named restore point, an LSN and the test rows' transaction id all stop before the after rows")
    void nameLsnXid() {
        fullPlanOnly();
        for (RestoreTarget target : List.of(RestoreTarget.name("before-after"), RestoreTarget.lsn(lsn),
                RestoreTarget.xid(xid))) {
            Path dir = f.newDirectory("target");
            f.pgbr.restore(PhysicalRestoreRequest.builder().target(target).targetAction(TargetAction.PROMOTE)
                    .dataDirectory(dir).build());
            try (PostgresCluster copy = f.startRestored(dir)) {
                assertThat(tags(copy)).as("%s", target)
                        .containsExactlyInAnyOrderEntriesOf(Map.of("base", 10L, "test", 1000L, "after", 0L));
            }
        }
    }

    @Test
    @DisplayName("a diff and an incr chain restore to exactly the source's content; delta reuses a directory")
    void chainAndDelta() {
        fullPlanOnly();
        f.pg.createDatabase("shop");
        DemoDatabase.realistic(1).applyTo(f.pg, "shop");
        f.pg.psql("shop", "DELETE FROM shop.order_items WHERE line_no % 3 = 0; UPDATE shop.customers SET "
                + "email = upper(email) WHERE id % 3 = 0;");
        BackupSet diff = f.pgbr.backup(BackupType.DIFF, 1);
        Map<String, String> atDiff = DemoDatabase.fingerprint(f.pg, "shop");
        f.pg.psql("shop", "INSERT INTO shop.products (sku, name, price) SELECT 'X-' || g, 'extra ' || g, g "
                + "FROM generate_series(1, 50) g;");
        BackupSet incr = f.pgbr.backup(BackupType.INCR, 1);
        Map<String, String> atIncr = DemoDatabase.fingerprint(f.pg, "shop");
        assertThat(diff.type()).isEqualTo(BackupType.DIFF);
        assertThat(incr.type()).isEqualTo(BackupType.INCR);
        assertThat(incr.dependsOn()).contains(diff.id());
        assertThat(diff.dependsOn()).hasValueSatisfying(id -> assertThat(id.value()).endsWith("F"));
        assertThat(incr.attribute(PgBackRestBackup.REFERENCE).orElseThrow()).contains(diff.id().value());

        Path dir = f.newDirectory("chain");
        f.pgbr.restore(PhysicalRestoreRequest.builder().set(incr.id()).target(RestoreTarget.immediate())
                .targetAction(TargetAction.PROMOTE).dataDirectory(dir).build());
        try (PostgresCluster copy = f.startRestored(dir)) {
            assertThat(DemoDatabase.fingerprint(copy, "shop")).isEqualTo(atIncr);
            copy.stop();
            // the stopped copy is a non-empty directory: without delta it is refused, with delta it is reused
            assertThatThrownBy(() -> f.pgbr.restore(PhysicalRestoreRequest.builder().set(diff.id())
                    .target(RestoreTarget.immediate()).dataDirectory(dir).build()))
                    .isInstanceOfSatisfying(PgBackRestException.class, e -> {
                        assertThat(e.kind()).isEqualTo(PgBackRestException.Kind.TARGET_NOT_EMPTY);
                        assertThat(e.pgBackRestError()).isEqualTo(OptionalInt.of(40));
                        assertThat(e.getMessage()).contains("delta");
                    });
            assertThat(Files.exists(dir.resolve("PG_VERSION"))).as("nothing lost").isTrue();
            f.pgbr.restore(PhysicalRestoreRequest.builder().set(diff.id()).target(RestoreTarget.immediate())
                    .targetAction(TargetAction.PROMOTE).dataDirectory(dir).delta(true).build());
            copy.start();
            copy.awaitRecoveryEnd(PgBackRestFixture.RECOVERY);
            assertThat(DemoDatabase.fingerprint(copy, "shop")).isEqualTo(atDiff).isNotEqualTo(atIncr);
        }
    }
}
