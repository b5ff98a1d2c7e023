package io.pgvault.operations.health;

import io.pgvault.operations.ConnectionSource;
import io.pgvault.testkit.MutableClock;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * WAL-archive health on a real cluster whose {@code archive_command} copies segments into a directory only while
 * a flag file exists: working, then failing with a backlog, then recovered.
 */
class ArchiveHealthIT {
    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create(b -> b.conf("wal_level = replica", "archive_mode = on",
            "archive_command = 'false'"));

    private static Path archive;
    private static ArchiveMonitor monitor;

    @BeforeAll
    static void archiving() throws Exception {
        archive = pg.cluster().directory().resolve("archive");
        Files.createDirectories(archive);
        Files.setOwner(archive, Files.getOwner(pg.cluster().directory()));
        Files.createFile(archive.resolve("allow"));
        pg.cluster().configure("archive_command = 'test -f " + archive + "/allow && cp %p " + archive + "/%f'");
        pg.cluster().psql("postgres", "SELECT pg_reload_conf()");
        monitor = ArchiveMonitor.builder("main", ConnectionSource.of(pg.connection()))
                .lag(Thresholds.of(Duration.ofMinutes(5), Duration.ofMinutes(15))).build();
    }

    private static void writeAndSwitch() {
        pg.cluster().psql("postgres", "CREATE TABLE IF NOT EXISTS t (x text); INSERT INTO t SELECT md5(g::text) "
                + "FROM generate_series(1, 1000) g; SELECT pg_switch_wal()");
    }

    @Test
    @DisplayName("archiving that works is OK with no lag; a failing archive_command is CRITICAL with the backlog "
            + "and lag visible; once it works again the check is OK")
    void workingFailingRecovered() {
        writeAndSwitch();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            ArchiveStatus s = monitor.status();
            assertThat(s.archivedCount()).isPositive();
            assertThat(s.failing()).isFalse();
            assertThat(s.pendingSegments()).contains(0L);
        });
        HealthCheck ok = monitor.check(Clock.systemUTC());
        assertThat(ok.status()).isEqualTo(HealthStatus.OK);
        assertThat(ok.facts()).containsEntry("lagSeconds", 0L).containsEntry("failing", false);
        assertThat(ok.message()).startsWith("WAL archiving works");
        assertThat(Files.exists(archive.resolve((String) ok.facts().get("lastArchivedWal")))).isTrue();

        pg.cluster().psql("postgres", "SELECT 1"); // keep the same session semantics
        try {
            Files.delete(archive.resolve("allow"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        writeAndSwitch();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> monitor.status().failing());
        HealthCheck failing = monitor.check(Clock.systemUTC());
        assertThat(failing.status()).isEqualTo(HealthStatus.CRITICAL);
        assertThat(failing.message()).contains("archiving is failing");
        assertThat((Long) failing.facts().get("pendingSegments")).isPositive();
        assertThat((Long) failing.facts().get("lagBytes")).isGreaterThanOrEqualTo(16L << 20);
        assertThat((Long) failing.facts().get("failedCount")).isPositive();
        assertThat(failing.facts()).containsKey("lastFailedWal").containsKey("lagSeconds");

        try {
            Files.createFile(archive.resolve("allow"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            // a reload wakes the archiver, which otherwise retries only after up to a minute; a WAL switch would
            // wake it too but leave a fresh segment pending
            pg.cluster().psql("postgres", "SELECT pg_reload_conf()");
            ArchiveStatus s = monitor.status();
            assertThat(s.failing()).isFalse();
            assertThat(s.pendingSegments()).contains(0L);
        });
        assertThat(monitor.check(Clock.systemUTC()).status()).isEqualTo(HealthStatus.OK);
    }

    @Test
    @DisplayName("a tool's archive check runs at most once per interval and its failure is CRITICAL")
    void toolCheckCadence() {
        AtomicInteger runs = new AtomicInteger();
        MutableClock clock = new MutableClock("2026-03-01T00:00:00Z");
        ArchiveMonitor withTool = ArchiveMonitor.builder("main", ConnectionSource.of(pg.connection()))
                .toolCheckEvery(Duration.ofMinutes(15))
                .toolCheck("archive-get probe", () -> {
                    runs.incrementAndGet();
                    // a real probe: the newest archived segment must be readable in the archive
                    String wal = monitor.status().lastArchivedWal().orElseThrow();
                    if (!Files.isReadable(archive.resolve(wal))) {
                        throw new IllegalStateException(wal + " is not in " + archive);
                    }
                    Files.delete(archive.resolve(wal)); // second run finds it gone
                }).build();
        writeAndSwitch();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            pg.cluster().psql("postgres", "SELECT pg_reload_conf()"); // wakes the archiver if it is waiting
            assertThat(monitor.status().failing()).isFalse();
            assertThat(monitor.status().pendingSegments()).contains(0L);
        });
        assertThat(withTool.check(clock).facts()).doesNotContainKey("toolCheckFailure");
        assertThat(withTool.check(clock).facts()).doesNotContainKey("toolCheckFailure");
        assertThat(runs).hasValue(1);
        clock.advance(Duration.ofMinutes(15));
        HealthCheck second = withTool.check(clock);
        assertThat(runs).hasValue(2);
        assertThat(second.status()).isEqualTo(HealthStatus.CRITICAL);
        assertThat(second.message()).contains("archive-get probe failed").contains("is not in");
    }
}
