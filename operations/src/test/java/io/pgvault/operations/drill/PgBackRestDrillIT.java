package io.pgvault.operations.drill;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestConfig;
import io.pgvault.backend.pgbackrest.PgBackRestRepo;
import io.pgvault.backend.pgbackrest.PgCluster;
import io.pgvault.backend.pgbackrest.RestoreTarget;
import io.pgvault.operations.drill.DrillCheck.Outcome;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drills of pgBackRest sets with real pgBackRest and PostgreSQL 15: a PITR drill restores to a noted time, promotes,
 * and proves with assertions that it stopped there; the throwaway server is gone afterwards.
 */
class PgBackRestDrillIT {
    private static Path base;
    private static PostgresCluster pg;
    private static PgBackRest pgbr;
    private static BackupSet full;
    private static Instant noted;
    private static LocalRepository records;

    @BeforeAll
    static void setUp() throws IOException {
        Assumptions.assumeTrue(pgbackrestInstalled(), "pgbackrest is not installed (apt-get install -y pgbackrest)");
        base = Files.createTempDirectory(Path.of("/tmp"), "drill-pgbr-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        if ("root".equals(System.getProperty("user.name"))) {
            Files.setOwner(base, FileSystems.getDefault().getUserPrincipalLookupService()
                    .lookupPrincipalByName(PostgresCluster.SUPERUSER));
        }
        pg = PostgresCluster.builder().requireMajorVersion(15).baseDirectory(base)
                .conf("wal_level = replica", "archive_mode = on", "archive_command = '/bin/false'").start();
        pgbr = PgBackRest.of(PgBackRestConfig.builder("drill")
                .cluster(PgCluster.builder(pg.dataDirectory()).port(pg.port()).socketDirectory(pg.socketDirectory())
                        .binDir(pg.binDir()).build())
                .repo(PgBackRestRepo.posix(base.resolve("repo1")).build())
                .configFile(base.resolve("conf/pgbackrest.conf"))
                .workDirectory(base.resolve("work"))
                .launcher(pg.serverLauncher())
                .archiveTimeout(Duration.ofSeconds(30))
                .processMax(2)
                .build());
        pgbr.writeConfig();
        pg.configure("archive_command = " + PostgresCluster.quoteLiteral(pgbr.archiveCommand()));
        pg.restart();
        pgbr.stanzaCreate();
        pg.psql("postgres", "CREATE TABLE marks (id serial PRIMARY KEY, tag text NOT NULL);"
                + "INSERT INTO marks (tag) SELECT 'base' FROM generate_series(1, 10);");
        full = pgbr.backup(BackupType.FULL, 1);
        // pgBackRest picks a set for a time target only when it stopped strictly before it (whole seconds)
        pg.psql("postgres", "SELECT pg_sleep_until(to_timestamp(" + (full.finishedAt().getEpochSecond() + 1)
                + ") + interval '50 milliseconds')");
        pg.psql("postgres", "INSERT INTO marks (tag) SELECT 'test' FROM generate_series(1, 1000);");
        noted = Instant.parse(pg.queryValue("postgres",
                "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
        pg.psql("postgres", "INSERT INTO marks (tag) SELECT 'after' FROM generate_series(1, 1000);");
        pgbr.check(); // switches WAL and waits until the 'after' rows are archived
        records = LocalRepository.at(base.resolve("records"));
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (pg != null) {
            pg.close();
        }
        if (base != null) {
            try (Stream<Path> s = Files.walk(base)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static boolean pgbackrestInstalled() {
        try {
            ProcessRunner.local().run(ToolCommand.builder("pgbackrest", "pgbackrest").arg("version")
                    .timeout(Duration.ofSeconds(30)).build());
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Path work() throws IOException {
        Path work = Files.createTempDirectory(Path.of("/tmp"), "drill-work-");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        return work;
    }

    @Test
    @DisplayName("a PITR drill restores to the noted time, promotes, passes its checks and is recorded")
    void pitrDrillPasses() throws IOException {
        Path work = work();
        DrillReport report = RestoreDrill.builder().pgBackRest(pgbr).records(records).workDirectory(work)
                .pitrTarget(RestoreTarget.time(noted))
                .assertion(SqlAssertion.rowCount("the test rows", "SELECT * FROM marks WHERE tag = 'test'", 1000))
                .assertion(SqlAssertion.isTrue("nothing after the target",
                        "SELECT count(*) = 0 FROM marks WHERE tag = 'after'"))
                .build().run();

        assertThat(report.passed()).as(report.toText()).isTrue();
        assertThat(report.setId()).contains(full.id());
        assertThat(report.strategy()).isEqualTo(full.strategy());
        assertThat(report.target()).contains("PITR --type=time");
        assertThat(report.rto()).isPresent();
        assertThat(report.checks()).filteredOn(c -> c.name().startsWith("amcheck "))
                .isNotEmpty().allSatisfy(c -> assertThat(c.outcome()).isIn(Outcome.PASSED, Outcome.SKIPPED));
        assertThat(report.checks()).filteredOn(c -> c.name().startsWith("row counts "))
                .allSatisfy(c -> assertThat(c.detail()).isEqualTo("a physical backup records no row counts"));
        DrillRecord last = RestoreDrill.lastPassedDrill(records).orElseThrow();
        assertThat(last.setId()).isEqualTo(full.id());
        try (Stream<Path> s = Files.list(work)) {
            assertThat(s).as("left in the work directory").isEmpty();
        }
        assertThat(pg.queryValue("postgres", "SELECT count(*) FROM marks")).isEqualTo("2010");
    }

    @Test
    @DisplayName("a drill of a set pgBackRest does not list fails and says which")
    void unknownSet() throws IOException {
        DrillReport report = RestoreDrill.builder().pgBackRest(pgbr).records(records).workDirectory(work())
                .backupId(BackupId.of("20000101-000000F")).build().run();

        assertThat(report.passed()).isFalse();
        assertThat(report.problems()).singleElement().asString().contains("20000101-000000F").contains("drill");
    }
}
