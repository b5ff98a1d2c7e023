package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.api.ConfigurationException;
import io.pgvault.testkit.MatrixPair;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PgBackRest#expireArchiveBefore(PgBackRestRepo, String)} on the newest pgBackRest (2.59 or later) and
 * PostgreSQL 18: WAL archived before any backup is trimmed up to the segment given, the segment and later ones stay,
 * and once a backup exists the WAL it needs stays whatever the segment; older pgBackRest and bad segment names are
 * refused before anything runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgBackRestArchiveExpireIT {
    private static final MatrixPair PAIR = MatrixPair.PG18_PGBR_NEWEST;
    private PgBackRestFixture f;
    private PgBackRestRepo repo;

    @BeforeAll
    void setUp() {
        PAIR.assumeInstalled();
        f = PgBackRestFixture.start(PAIR, "trim", (b, base) -> b);
        repo = f.config.repos().get(0);
    }

    @AfterAll
    void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    @Test
    @DisplayName("before a backup: segments earlier than the one given go, it and later ones stay; after a backup the "
            + "WAL from its start on stays")
    void trims() {
        for (int i = 0; i < 4; i++) {
            f.pg.psql("postgres", "CREATE TABLE IF NOT EXISTS t (id int); INSERT INTO t VALUES (" + i + ")");
            f.pgbr.check(); // switches WAL and waits until the segment is archived
        }
        List<String> archived = segments();
        assertThat(archived).hasSizeGreaterThanOrEqualTo(4);
        String keepFrom = archived.get(2);

        f.pgbr.expireArchiveBefore(repo, keepFrom.toLowerCase(java.util.Locale.ROOT));

        assertThat(segments()).isEqualTo(archived.subList(2, archived.size()));

        BackupSet full = f.pgbr.backup(BackupType.FULL, 1);
        String walStart = full.attribute(PgBackRestBackup.WAL_START).orElseThrow();
        f.pgbr.check();
        List<String> withBackup = segments();
        f.pgbr.expireArchiveBefore(repo, withBackup.get(withBackup.size() - 1));
        assertThat(withBackup).contains(keepFrom, walStart);
        // earlier than the backup's first segment: gone; from it on: kept, though earlier than the segment given
        assertThat(segments()).isEqualTo(withBackup.stream().filter(s -> s.compareTo(walStart) >= 0).toList())
                .contains(walStart).doesNotContain(keepFrom);
    }

    @Test
    @DisplayName("a name that is not a WAL segment, and pgBackRest 2.55, are refused before pgBackRest runs")
    void refusals() {
        List<String> before = segments();
        assertThatThrownBy(() -> f.pgbr.expireArchiveBefore(repo, "00000001000000000000000G"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("not a WAL segment name");
        assertThatThrownBy(() -> f.pgbr.expireArchiveBefore(repo, "0000000100000000000000071 --dry-run"))
                .isInstanceOf(ConfigurationException.class);

        String v255 = MatrixPair.PG17_PGBR2551.executable(f.base).orElseThrow();
        PgBackRest older = PgBackRest.of(f.config.toBuilder().executable(v255)
                .configFile(f.newDirectory("conf-255").resolve("pgbackrest.conf")).build());
        assertThatThrownBy(() -> older.expireArchiveBefore(older.config().repos().get(0),
                "000000010000000000000001"))
                .isInstanceOfSatisfying(PgBackRestException.class, e -> {
                    assertThat(e.kind()).isEqualTo(PgBackRestException.Kind.UNSUPPORTED);
                    assertThat(e.getMessage()).contains("2.59");
                });
        assertThat(segments()).isEqualTo(before);
    }

    /** @return the WAL segment names in the repo's archive, sorted */
    private List<String> segments() {
        Path archive = Path.of(repo.path()).resolve("archive").resolve(f.config.stanza());
        try (Stream<Path> files = Files.walk(archive)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("[0-9A-F]{24}-[0-9a-f]{40}(\\..*)?"))
                    .map(n -> n.substring(0, 24)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
