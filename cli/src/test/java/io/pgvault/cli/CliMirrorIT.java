package io.pgvault.cli;

import io.pgvault.testkit.Directories;
import io.pgvault.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The restore-from-drive-mirror runbook through the command, against PostgreSQL 15 and pgBackRest 2.45: a stanza
 * mirrored byte for byte to a repository pgBackRest cannot write (a local pgvault repository stands in for Drive),
 * listed and verified there, materialized into a local pgBackRest repository, and restored from it alone.
 */
class CliMirrorIT {
    static Path base;
    static PostgresCluster pg;

    @AfterAll
    static void tearDown() {
        if (pg != null) {
            pg.close();
        }
        if (base != null) {
            Directories.deleteRecursively(base);
        }
    }

    private static Cli.Result pgvault(String config, String... args) {
        return Cli.run(base, Map.of("PGVAULT_CONFIG", base.resolve(config).toString()), args);
    }

    private static String yml(String conf, Path dataDir, int port, Path repo, String extra) {
        return Cli.pgbackrestYaml("mirrored", base, conf, pg, dataDir, port, repo, base.resolve("cipher"), extra, "");
    }

    @Test
    @DisplayName("mirror run, list, verify; materialize; restore from the materialized repository alone: 1000 rows")
    void mirrorMaterializeRestore() throws Exception {
        base = Directories.createServerOwned("cli-mirror-");
        pg = PostgresCluster.builder().requireMajorVersion(15).baseDirectory(base)
                .conf("wal_level = replica", "archive_mode = on", "archive_command = '/bin/false'").start();
        Files.writeString(base.resolve("cipher"), "cli mirror test cipher passphrase\n");
        Files.writeString(base.resolve("source.yml"), yml("conf", pg.dataDirectory(), pg.port(), base.resolve("repo1"),
                """
                    mirror:
                      name: drive
                      repository: {local: {path: %s}}
                      filter: all
                """.formatted(base.resolve("mirror"))));
        String archive = pgvault("source.yml", "stanza", "archive-command").out().lines()
                .filter(l -> l.startsWith("archive_command = ")).findFirst().orElseThrow()
                .substring("archive_command = ".length());
        pg.configure("archive_command = " + archive);
        pg.restart();
        assertThat(pgvault("source.yml", "stanza", "create").code()).isZero();
        pg.psql("postgres", "CREATE TABLE marks AS SELECT g AS id FROM generate_series(1, 1000) g;");
        Cli.Result backup = pgvault("source.yml", "backup");
        assertThat(backup.code()).as(backup.toString()).isZero();

        Cli.Result run = pgvault("source.yml", "mirror", "run");
        assertThat(run.code()).as(run.toString()).isZero();
        Cli.Result list = pgvault("source.yml", "mirror", "list");
        assertThat(list.out()).contains("FULL");
        Cli.Result verify = pgvault("source.yml", "mirror", "verify");
        assertThat(verify.code()).as(verify.toString()).isZero();
        assertThat(verify.out()).contains("mirror ok: 1 set(s) intact");

        Path local = base.resolve("restore-repo");
        Cli.Result materialize = pgvault("source.yml", "mirror", "materialize", "--into", local.toString());
        assertThat(materialize.code()).as(materialize.toString()).isZero();
        assertThat(materialize.out()).contains("materialized 1 set(s)");

        // the night the primary repo is gone: a configuration whose only repo is the materialized one
        Path target = base.resolve("restored");
        int port = CliPitrIT.freePort();
        Files.writeString(base.resolve("restore.yml"), yml("conf-restore", target, port, local, ""));
        assertThat(pgvault("restore.yml", "stanza", "write-config").code()).isZero();
        Cli.Result restore = pgvault("restore.yml", "restore", "--physical", "--data-directory", target.toString(),
                "--start-on-port", String.valueOf(port));
        assertThat(restore.code()).as(restore.toString()).isZero();
        try {
            Process p = new ProcessBuilder(pg.binDir().resolve("psql").toString(), "-h", "127.0.0.1", "-p",
                    String.valueOf(port), "-U", "postgres", "-d", "postgres", "-Atc", "SELECT count(*) FROM marks")
                    .redirectErrorStream(true).start();
            assertThat(new String(p.getInputStream().readAllBytes()).trim()).isEqualTo("1000");
        } finally {
            new ProcessBuilder(List.of("runuser", "-u", pg.osUser().orElseThrow(), "--",
                    pg.binDir().resolve("pg_ctl").toString(), "-D", target.toString(), "-m", "immediate", "stop"))
                    .inheritIO().start().waitFor();
        }
    }
}
