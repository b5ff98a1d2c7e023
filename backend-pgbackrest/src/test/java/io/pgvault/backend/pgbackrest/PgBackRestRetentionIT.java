package io.pgvault.backend.pgbackrest;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.PruneReport;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.testkit.MatrixPair;
import io.pgvault.testkit.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Retention over real pgBackRest sets: the planner decides, {@code expire --set} executes, dependents before what
 * they depend on; time is moved only through the planner's clock. Runs in one order: dry runs, then the prune. On
 * PostgreSQL 15 and pgBackRest 2.45; subclasses run it on another {@link MatrixPair}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PgBackRestRetentionIT {
    private PgBackRestFixture f;
    private BackupSet f1;
    private BackupSet d1;
    private BackupSet f2;
    private BackupSet i1;
    private BackupSet f3;

    /** @return the versions this class runs on */
    MatrixPair pair() {
        return MatrixPair.PG15_PGBR245;
    }

    @BeforeAll
    void setUp() {
        pair().assumeInstalled();
        f = PgBackRestFixture.start(pair(), "gfs", (b, base) -> b);
        f.pg.psql("postgres", "CREATE TABLE n (v int); INSERT INTO n VALUES (1);");
        f1 = f.pgbr.backup(BackupType.FULL, 1);
        f.pg.psql("postgres", "INSERT INTO n VALUES (2);");
        d1 = f.pgbr.backup(BackupType.DIFF, 1);
        f2 = f.pgbr.backup(BackupType.FULL, 1);
        f.pg.psql("postgres", "INSERT INTO n VALUES (3);");
        i1 = f.pgbr.backup(BackupType.INCR, 1);
        f.pg.psql("postgres", "INSERT INTO n VALUES (4);");
        f3 = f.pgbr.backup(BackupType.FULL, 1);
    }

    @AfterAll
    void tearDown() {
        if (f != null) {
            f.close();
        }
    }

    private List<BackupId> ids() {
        return f.pgbr.list(1).stream().map(BackupSet::id).toList();
    }

    @Test
    @DisplayName("retention on real sets: dry runs remove nothing, then keep 2 fulls with dependents via expire --set")
    void gfs() {
        assertThat(ids()).containsExactly(f1.id(), d1.id(), f2.id(), i1.id(), f3.id());
        assertThat(d1.dependsOn()).contains(f1.id());
        assertThat(i1.dependsOn()).contains(f2.id());

        // 7 daily / 4 weekly / 12 monthly: all sets are from today, so today's newest (f3) is the daily, weekly and
        // monthly representative; one day later keep-within 1h keeps nothing either, but the newest always stays
        PruneReport gfs = f.pgbr.applyRetention(RetentionPolicy.calendar().daily(7).weekly(4).monthly(12).build(), 1,
                PruneMode.DRY_RUN);
        assertThat(gfs.dryRun()).isTrue();
        assertThat(gfs.plan().kept()).extracting(d -> d.id()).containsExactly(f3.id());
        assertThat(gfs.removed()).extracting(BackupSet::id).containsExactly(i1.id(), f2.id(), d1.id(), f1.id());
        PruneReport later = f.pgbr.withClock(Clock.offset(Clock.systemUTC(), Duration.ofDays(1)))
                .applyRetention(RetentionPolicy.keepWithin(Duration.ofHours(1)), 1, PruneMode.DRY_RUN);
        assertThat(later.plan().kept()).extracting(d -> d.id()).containsExactly(f3.id());
        assertThat(ids()).as("dry runs remove nothing").hasSize(5);

        // keep the 2 newest fulls: f2 stays with i1 (its dependent), f1 and d1 go, d1 first
        PruneReport pruned = f.pgbr.applyRetention(RetentionPolicy.fulls(2).build(), 1, PruneMode.EXECUTE);
        assertThat(pruned.removed()).extracting(BackupSet::id).containsExactly(d1.id(), f1.id());
        assertThat(pruned.skipped()).isEmpty();
        assertThat(ids()).containsExactly(f2.id(), i1.id(), f3.id());
        assertThat(f.pgbr.verify(1).ok()).isTrue();

        // what is left still restores: i1 (needs f2) to its consistent point has rows 1..3
        Path dir = f.newDirectory("after-prune");
        f.pgbr.restore(PhysicalRestoreRequest.builder().set(i1.id()).target(RestoreTarget.immediate())
                .targetAction(TargetAction.PROMOTE).dataDirectory(dir).build());
        try (PostgresCluster copy = f.startRestored(dir)) {
            assertThat(copy.queryValue("postgres", "SELECT string_agg(v::text, ',' ORDER BY v) FROM n"))
                    .isEqualTo("1,2,3");
        }

        // in place: refused while the server runs ([038], nothing touched), then with delta once it is stopped
        f.pg.psql("postgres", "INSERT INTO n VALUES (5);");
        f.pgbr.check();
        assertThatThrownBy(() -> f.pgbr.restore(PhysicalRestoreRequest.builder().delta(true).build()))
                .isInstanceOfSatisfying(PgBackRestException.class,
                        e -> assertThat(e.kind()).isEqualTo(PgBackRestException.Kind.SERVER_RUNNING));
        assertThat(f.pg.queryValue("postgres", "SELECT count(*) FROM n")).isEqualTo("5");
        f.pg.stop();
        PhysicalRestoreResult inPlace = f.pgbr.restore(PhysicalRestoreRequest.builder().delta(true).build());
        assertThat(inPlace.dataDirectory()).isEqualTo(f.pg.dataDirectory());
        assertThat(inPlace.request().archiveModeOff()).isFalse();
        f.pg.start();
        f.pg.awaitRecoveryEnd(PgBackRestFixture.RECOVERY);
        assertThat(f.pg.queryValue("postgres", "SELECT string_agg(v::text, ',' ORDER BY v) FROM n"))
                .isEqualTo("1,2,3,4,5");

        // verify reads every file: a damaged one in f3 is reported, not hidden
        Path pgData = f.base.resolve("repo1/backup/gfs/" + f3.id().value() + "/pg_data");
        Path victim = largestFile(pgData);
        corrupt(victim);
        RepoVerifyResult verify = f.pgbr.verify(1);
        assertThat(verify.ok()).isFalse();
        assertThat(String.join("\n", verify.problems())).contains(f3.id().value());

        // one set: 2.55 and later verify only its files (f2 is sound, f3 is not); older ones the whole repo
        PgBackRestRepo repo1 = f.config.repos().get(0);
        RepoVerifyResult damaged = f.pgbr.verify(repo1, f3.id());
        assertThat(damaged.ok()).isFalse();
        assertThat(String.join("\n", damaged.problems())).contains(f3.id().value());
        RepoVerifyResult sound = f.pgbr.verify(repo1, f2.id());
        if (f.pgbr.version().atLeast(2, 55)) {
            assertThat(sound.set()).contains(f2.id().value());
            assertThat(damaged.set()).contains(f3.id().value());
            assertThat(sound.ok()).as("f2 alone: %s", sound.output()).isTrue();
        } else {
            assertThat(sound.set()).as("2.45 has no --set: the whole repo was verified").isEmpty();
            assertThat(sound.ok()).as("the whole repo, f3 included").isFalse();
        }
        assertThatThrownBy(() -> f.pgbr.verify(repo1, new BackupId("20200101-000000F")))
                .isInstanceOfSatisfying(PgBackRestException.class, e -> assertThat(e.getMessage())
                        .contains("20200101-000000F").contains("no such set"));
    }

    @Test
    @DisplayName("a physical set's stored bytes are what info reports for it in the repo (a full: its repository "
            + "size; an incremental: the bytes it added), and a dry run's text counts them")
    void storedBytes() throws java.io.IOException {
        com.fasterxml.jackson.databind.JsonNode info = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                new io.pgvault.spi.process.ProcessRunner(f.config.launcher()).run(io.pgvault.spi.process.ToolCommand
                        .builder("pgbackrest", f.config.executable()).args(List.of("--config=" + f.config.configFile(),
                                "--config-include-path=" + f.config.includeDirectory(),
                                "--stanza=" + f.config.stanza(), "--output=json", "info"))
                        .timeout(Duration.ofMinutes(1)).build()).stdout());
        java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> repository = new java.util.HashMap<>();
        info.get(0).path("backup").forEach(b -> repository.put(b.path("label").asText(),
                b.path("info").path("repository")));
        long f3Size = repository.get(f3.id().value()).path("size").asLong();
        assertThat(f3Size).isPositive();
        assertThat(f3.storedBytes()).isEqualTo(f3Size)
                .isEqualTo(repository.get(f3.id().value()).path("delta").asLong());
        long i1Delta = repository.get(i1.id().value()).path("delta").asLong();
        assertThat(i1.storedBytes()).isEqualTo(i1Delta).isPositive()
                .isLessThan(repository.get(i1.id().value()).path("size").asLong());

        PruneReport dry = f.pgbr.applyRetention(RetentionPolicy.fulls(1).build(), 1, PruneMode.DRY_RUN);
        long expected = dry.removed().stream().mapToLong(s -> repository.get(s.id().value()).path("delta").asLong())
                .sum();
        assertThat(dry.removed()).isNotEmpty();
        assertThat(dry.storedBytes()).isEqualTo(expected).isPositive();
        assertThat(dry.render()).contains("(" + expected + " bytes stored)");
        dry.removed().forEach(s -> assertThat(dry.render()).contains(s.id().value() + " " + s.startedAt() + " ("
                + repository.get(s.id().value()).path("delta").asLong() + " bytes)"));
    }

    private static Path largestFile(Path dir) {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir)) {
            return files.filter(java.nio.file.Files::isRegularFile).max(java.util.Comparator.comparingLong(p -> {
                try {
                    return java.nio.file.Files.size(p);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            })).orElseThrow();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void corrupt(Path file) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}), 100);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
