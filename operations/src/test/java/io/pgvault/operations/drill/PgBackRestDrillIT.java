package io.pgvault.operations.drill;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.RestoreTarget;
import io.pgvault.operations.ArchivingCluster;
import io.pgvault.operations.drill.DrillCheck.Outcome;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.testkit.Directories;
import io.pgvault.testkit.MatrixPair;
import io.pgvault.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drills of pgBackRest sets with real pgBackRest and PostgreSQL 15 (subclasses: another {@link MatrixPair}): a PITR drill restores to a noted time, promotes,
 * and proves with assertions that it stopped there; the throwaway server is gone afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgBackRestDrillIT {
    private static final List<Path> WORK_DIRECTORIES = new ArrayList<>();
    private ArchivingCluster cluster;
    private Path base;
    private PostgresCluster pg;
    private PgBackRest pgbr;
    private BackupSet full;
    private Instant noted;
    private LocalRepository records;

    /** @return the PostgreSQL server and pgBackRest this class runs on */
    MatrixPair pair() {
        return MatrixPair.PG15_PGBR245;
    }

    @BeforeAll
    void setUp() throws IOException {
        Assumptions.assumeTrue(ArchivingCluster.pgbackrestInstalled(),
                "pgbackrest is not installed (apt-get install -y pgbackrest)");
        pair().assumeInstalled();
        cluster = ArchivingCluster.start(pair(), "drill-pgbr-", "drill", Duration.ofSeconds(30));
        base = cluster.base;
        pg = cluster.pg;
        pgbr = cluster.pgbr;
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
    void tearDown() {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            WORK_DIRECTORIES.forEach(Directories::deleteRecursively);
        }
    }

    private Path work() throws IOException {
        Path work = Files.createTempDirectory(Path.of("/tmp"), "drill-work-");
        WORK_DIRECTORIES.add(work);
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        return work;
    }

    @Test
    @DisplayName("a PITR drill restores to the noted time, promotes, passes its checks and is recorded")
    void pitrDrillPasses() throws IOException {
        Path work = work();
        DrillReport report = PhysicalDrill.builder().pgBackRest(pgbr).records(records).workDirectory(work)
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
        // Debian's 15 and the zonky 17 builds both carry amcheck: it runs, on the restored server's own version
        assertThat(report.checks()).filteredOn(c -> c.name().startsWith("amcheck "))
                .isNotEmpty().allSatisfy(c -> assertThat(c.outcome()).isIn(Outcome.PASSED, Outcome.SKIPPED))
                .anySatisfy(c -> assertThat(c.outcome()).isEqualTo(Outcome.PASSED));
        assertThat(report.target()).contains("PostgreSQL " + pair().postgresMajor() + ".");
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
    @DisplayName("the restored copy is private: production's pg_hba.conf (the test kit's trust) does not apply, a "
            + "connection without the drill's password is refused on TCP and on the socket; a SCRAM-only production "
            + "hba still drills")
    void restoredCopyIsPrivate() throws Exception {
        String scramOnly = "local all all scram-sha-256\nhost all all 127.0.0.1/32 scram-sha-256\n";
        for (Optional<String> productionHba : List.of(Optional.<String>empty(), Optional.of(scramOnly))) {
            PgBackRestDrill drill = new PgBackRestDrill(pgbr, Optional.empty(), Optional.empty(), OptionalInt.empty());
            ThrowawayPostgres copy = ThrowawayPostgres.create(PostgresBinaries.locateMajor(Optional.empty(),
                    drill.clusterBinDir().stream().toList(), PhysicalDrill.majorOf(full)),
                    ThrowawayPostgres.isRoot() ? Optional.of("postgres") : Optional.empty(), work());
            try {
                drill.restore(full, true, copy);
                if (productionHba.isPresent()) {
                    Files.writeString(copy.dataDirectory().resolve("pg_hba.conf"), productionHba.get());
                }
                copy.startRestored(List.of("archive_mode=off"), Duration.ofSeconds(30), List.of("postgres"));
                try (Connection c = copy.jdbc("postgres"); Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT count(*) FROM marks")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).isEqualTo(2010); // the set and the archive after it
                }
                for (String host : List.of(ThrowawayPostgres.HOST, copy.directory().toString())) {
                    for (String role : List.of("postgres", "nobody")) {
                        ProcessBuilder pb = new ProcessBuilder("psql", "-X", "-w", "-h", host, "-p",
                                Integer.toString(copy.port()), "-U", role, "-d", "postgres", "-c", "SELECT 1")
                                .redirectErrorStream(true);
                        pb.environment().remove("PGPASSWORD");
                        pb.environment().put("PGPASSFILE", "/dev/null");
                        Process p = pb.start();
                        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                        assertThat(p.exitValue()).as(role + "@" + host + " without the password: " + out).isNotZero();
                    }
                }
            } finally {
                copy.close();
            }
        }
    }

    @Test
    @DisplayName("a drill of a set pgBackRest does not list fails and says which")
    void unknownSet() throws IOException {
        DrillReport report = PhysicalDrill.builder().pgBackRest(pgbr).records(records).workDirectory(work())
                .backupId(BackupId.of("20000101-000000F")).build().run();

        assertThat(report.passed()).isFalse();
        assertThat(report.problems()).singleElement().asString().contains("20000101-000000F").contains("drill");
    }
}
