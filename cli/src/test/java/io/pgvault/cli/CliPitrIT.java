package io.pgvault.cli;

import io.pgvault.testkit.Directories;
import io.pgvault.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The PITR runbook with the real command against PostgreSQL 15 and pgBackRest 2.45, configured by a file alone:
 * stanza create and check, a full backup, 1000 'test' rows, a noted time, 1000 'after' rows, then a restore to the
 * noted time into a new directory started on a free port: 1000 test rows and 0 after.
 */
class CliPitrIT {
    static Path base;
    static PostgresCluster pg;
    static Map<String, String> env;

    @BeforeAll
    static void setUp() throws Exception {
        base = Directories.createServerOwned("cli-pitr-");
        pg = PostgresCluster.builder().requireMajorVersion(15).baseDirectory(base)
                .conf("wal_level = replica", "archive_mode = on", "archive_command = '/bin/false'").start();
        Files.writeString(base.resolve("cipher"), "cli pitr test cipher passphrase\n");
        Files.writeString(base.resolve("pgvault.yml"), Cli.pgbackrestYaml("clipitr", base, "conf", pg,
                pg.dataDirectory(), pg.port(), base.resolve("repo1"), base.resolve("cipher"), "",
                "  drill:\n    records: {local: {path: " + base.resolve("drill-records") + "}}\n    amcheck: false\n"));
        env = Map.of("PGVAULT_CONFIG", base.resolve("pgvault.yml").toString());
    }

    @AfterAll
    static void tearDown() {
        if (pg != null) {
            pg.close();
        }
        if (base != null) {
            Directories.deleteRecursively(base);
        }
    }

    private static Cli.Result pgvault(String... args) {
        Cli.Result r = Cli.run(base, env, args);
        return r;
    }

    @Test
    @DisplayName("stanza create, check, backup; restore to a noted time with --start-on-port: 1000 test, 0 after; "
            + "then a recorded drill of the physical sets")
    void pointInTime() throws Exception {
        Cli.Result archive = pgvault("stanza", "archive-command");
        assertThat(archive.code()).as(archive.toString()).isZero();
        String archiveCommand = archive.out().lines().filter(l -> l.startsWith("archive_command = ")).findFirst()
                .orElseThrow().substring("archive_command = ".length());
        pg.configure("archive_command = " + archiveCommand);
        pg.restart();
        Cli.Result create = pgvault("stanza", "create");
        assertThat(create.code()).as(create.toString()).isZero();
        Cli.Result check = pgvault("stanza", "check");
        assertThat(check.code()).as(check.toString()).isZero();

        pg.psql("postgres", "CREATE TABLE marks (id serial PRIMARY KEY, tag text NOT NULL);");
        Cli.Result backup = pgvault("backup");
        assertThat(backup.code()).as(backup.toString()).isZero();
        assertThat(backup.out()).contains("backed up ").contains("FULL");
        Cli.Result list = pgvault("list");
        assertThat(list.out()).contains("FULL");
        Cli.Result verify = pgvault("verify");
        assertThat(verify.code()).as(verify.toString()).isZero();
        assertThat(verify.out()).contains("repo1 ok");
        String label = java.util.regex.Pattern.compile("\\d{8}-\\d{6}F").matcher(list.out()).results()
                .map(java.util.regex.MatchResult::group).findFirst().orElseThrow();
        Cli.Result verifySet = pgvault("verify", "--physical", label);
        assertThat(verifySet.code()).as(verifySet.toString()).isZero();
        assertThat(verifySet.out()).containsPattern("repo1( set " + label + ")? ok");
        Cli.Result verifyAbsent = pgvault("verify", "--physical", "20200101-000000F");
        assertThat(verifyAbsent.code()).as(verifyAbsent.toString()).isEqualTo(2);
        assertThat(verifyAbsent.err()).contains("holds set 20200101-000000F");

        // pgBackRest picks a set for a time target only when it stopped strictly before it (whole seconds)
        pg.psql("postgres", "SELECT pg_sleep(1.1)");
        pg.psql("postgres", "INSERT INTO marks (tag) SELECT 'test' FROM generate_series(1, 1000);");
        Instant noted = Instant.parse(pg.queryValue("postgres",
                "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
        pg.psql("postgres", "INSERT INTO marks (tag) SELECT 'after' FROM generate_series(1, 1000);");
        assertThat(pgvault("stanza", "check").code()).isZero(); // switches WAL; waits until it is archived

        Path target = base.resolve("pitr");
        int port = freePort();
        Cli.Result restore = pgvault("restore", "--physical", "--target-time", noted.toString(), "--data-directory",
                target.toString(), "--start-on-port", String.valueOf(port));
        assertThat(restore.code()).as(restore.toString()).isZero();
        assertThat(restore.out()).contains("running on port " + port);
        try {
            assertThat(query(port, "SELECT count(*) FROM marks WHERE tag = 'test'")).isEqualTo("1000");
            assertThat(query(port, "SELECT count(*) FROM marks WHERE tag = 'after'")).isEqualTo("0");
        } finally {
            exec(List.of("runuser", "-u", pg.osUser().orElseThrow(), "--", pg.binDir().resolve("pg_ctl").toString(),
                    "-D", target.toString(), "-m", "immediate", "stop"));
        }

        // the monthly drill of the physical sets: restored into a throwaway server, checked, recorded
        Cli.Result drill = pgvault("drill");
        assertThat(drill.code()).as(drill.toString()).isZero();
        assertThat(drill.out()).containsIgnoringCase("passed");
        try (var records = Files.list(base.resolve("drill-records/drills"))) {
            assertThat(records.map(p -> p.getFileName().toString())).singleElement()
                    .satisfies(n -> assertThat(n).endsWith(".json"));
        }
    }

    /** psql over TCP to the copy the command left running (the operator's next step). */
    private static String query(int port, String sql) throws Exception {
        return exec(List.of(pg.binDir().resolve("psql").toString(), "-h", "127.0.0.1", "-p", String.valueOf(port),
                "-U", "postgres", "-d", "postgres", "-Atc", sql)).trim();
    }

    private static String exec(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
