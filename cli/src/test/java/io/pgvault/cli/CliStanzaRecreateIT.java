package io.pgvault.cli;

import io.pgvault.testkit.Directories;
import io.pgvault.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stanza-mismatch runbook's 4D through the command, against PostgreSQL 15 and pgBackRest 2.45: a stanza backed up
 * from one cluster, then the cluster re-created (a new system-id). {@code stanza recreate} refuses while nobody
 * confirms, refuses on a stanza that matches, and otherwise deletes and re-creates it so backups work again.
 */
class CliStanzaRecreateIT {
    static Path base;
    static PostgresCluster first;
    static PostgresCluster second;

    @AfterAll
    static void tearDown() {
        for (PostgresCluster c : new PostgresCluster[] {first, second}) {
            if (c != null) {
                c.close();
            }
        }
        if (base != null) {
            Directories.deleteRecursively(base);
        }
    }

    private static PostgresCluster cluster() {
        return PostgresCluster.builder().requireMajorVersion(15).baseDirectory(base)
                .conf("wal_level = replica", "archive_mode = on", "archive_command = '/bin/false'").start();
    }

    private static void configure(PostgresCluster pg) throws Exception {
        Files.writeString(base.resolve("pgvault.yml"), Cli.pgbackrestYaml("recreate", base, "conf", pg,
                pg.dataDirectory(), pg.port(), base.resolve("repo1"), null, "", ""));
        Cli.Result w = pgvault("stanza", "write-config");
        assertThat(w.code()).as(w.toString()).isZero();
        String archive = pgvault("stanza", "archive-command").out().lines()
                .filter(l -> l.startsWith("archive_command = ")).findFirst().orElseThrow()
                .substring("archive_command = ".length());
        pg.configure("archive_command = " + archive);
        pg.restart();
    }

    private static Cli.Result pgvault(String... args) {
        return Cli.run(base, Map.of("PGVAULT_CONFIG", base.resolve("pgvault.yml").toString()), args);
    }

    @Test
    @DisplayName("a re-created cluster: check says STANZA_MISMATCH; recreate is refused on a healthy stanza and "
            + "without --yes, then deletes and re-creates it, and a backup works again")
    void recreate() throws Exception {
        base = Directories.createServerOwned("cli-recreate-");
        first = cluster();
        configure(first);
        assertThat(pgvault("stanza", "create").code()).isZero();
        assertThat(pgvault("backup").code()).isZero();

        Cli.Result healthy = pgvault("stanza", "recreate", "--yes");
        assertThat(healthy.code()).as(healthy.toString()).isEqualTo(2);
        assertThat(healthy.err()).contains("matches this cluster");

        first.close();
        second = cluster(); // initdb again: a new system identifier
        configure(second);
        Cli.Result check = pgvault("stanza", "check");
        assertThat(check.code()).as(check.toString()).isEqualTo(1);
        assertThat(check.err()).containsIgnoringCase("system");

        Cli.Result unconfirmed = pgvault("stanza", "recreate");
        assertThat(unconfirmed.code()).as(unconfirmed.toString()).isEqualTo(2);
        assertThat(unconfirmed.err()).contains("refused without --yes", "1 backup set(s)");
        assertThat(Files.list(base.resolve("repo1/backup/recreate")).anyMatch(p -> p.getFileName().toString()
                .endsWith("F"))).as("the old full is still there").isTrue();

        Cli.Result recreate = pgvault("stanza", "recreate", "--yes");
        assertThat(recreate.code()).as(recreate.toString()).isZero();
        assertThat(recreate.out()).contains("deleted stanza recreate from repo1", "created again");
        Cli.Result backup = pgvault("backup");
        assertThat(backup.code()).as(backup.toString()).isZero();
        assertThat(pgvault("list").out().lines().filter(l -> l.contains("FULL")).count()).isEqualTo(1);
    }
}
