package io.pgvault.examples.deployments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgvault.api.BackupSet;
import io.pgvault.api.Catalog;
import io.pgvault.operations.schedule.JobOutcome;
import io.pgvault.operations.schedule.JobResult;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link EmbedInYourService} as a host would run it, twice (two replicas of one service) against a real PostgreSQL:
 * the scheduled backup fires when the injected clock reaches its cron time, exactly one replica runs it, and
 * {@code /health} and {@code /metrics} report the backup's age as the clock moves on.
 */
class EmbedInYourServiceIT {
    @RegisterExtension
    static final PostgresFixture PG = PostgresFixture.create();

    /** Sunday 1 March 2026, 01:59:30 UTC: half a minute before the weekly backup. */
    private static final Instant START = Instant.parse("2026-03-01T01:59:30Z");
    private static final Instant FIRE = Instant.parse("2026-03-01T02:00:00Z");

    private final MovableClock clock = new MovableClock(START);
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    @DisplayName("a weekly backup fires on the moved clock on one replica only; /health turns OK, WARNING after 24 h "
            + "and CRITICAL (503) after 26 h, with the backup's age; /metrics shows the age gauge")
    void scheduledBackupAndHealth() throws Exception {
        PostgresCluster cluster = PG.cluster();
        cluster.createDatabase("app");
        cluster.psql("app", "CREATE TABLE orders (id int PRIMARY KEY, total numeric); "
                + "INSERT INTO orders SELECT g, g * 1.5 FROM generate_series(1, 1000) g");
        EmbedInYourService.Settings settings = new EmbedInYourService.Settings(cluster.connection("app"),
                dir.resolve("backups"), "0 2 * * SUN", "0 4 15 * *", 0, clock, Duration.ofMillis(50));

        try (EmbedInYourService first = EmbedInYourService.start(settings);
                EmbedInYourService second = EmbedInYourService.start(settings)) {
            HttpResponse<String> before = get(first, "/health");
            assertThat(before.statusCode()).isEqualTo(503);
            assertThat(backupAge(before).path("status").asText()).isEqualTo("CRITICAL");
            assertThat(backupAge(before).path("message").asText()).contains("no complete backup");

            clock.set(FIRE.plusSeconds(5));
            await().atMost(Duration.ofSeconds(90)).until(() -> first.scheduler().lastResult("backup").isPresent()
                    && second.scheduler().lastResult("backup").isPresent());
            List<JobOutcome> outcomes = List.of(outcome(first), outcome(second));
            assertThat(outcomes).containsOnlyOnce(JobOutcome.SUCCEEDED);
            assertThat(outcomes).containsAnyOf(JobOutcome.SKIPPED_RUNNING_ELSEWHERE, JobOutcome.SKIPPED_ALREADY_RAN);
            List<BackupSet> sets = new Catalog(LocalRepository.at(dir.resolve("backups"))).list();
            assertThat(sets).hasSize(1);
            assertThat(sets.get(0).startedAt()).isEqualTo(FIRE.plusSeconds(5));

            HttpResponse<String> fresh = get(second, "/health"); // either replica sees the shared repository
            assertThat(fresh.statusCode()).isEqualTo(200);
            JsonNode ok = backupAge(fresh);
            assertThat(ok.path("status").asText()).isEqualTo("OK");
            assertThat(ok.path("facts").path("setId").asText()).isEqualTo(sets.get(0).id().value());
            assertThat(ok.path("facts").path("ageSeconds").asLong()).isZero();

            clock.set(FIRE.plus(Duration.ofHours(25)));
            HttpResponse<String> late = get(first, "/health");
            assertThat(late.statusCode()).isEqualTo(200);
            JsonNode warning = backupAge(late);
            assertThat(warning.path("status").asText()).isEqualTo("WARNING");
            assertThat(warning.path("facts").path("ageSeconds").asLong()).isEqualTo(25 * 3600 - 5);

            clock.set(FIRE.plus(Duration.ofHours(27)));
            HttpResponse<String> stale = get(first, "/health");
            assertThat(stale.statusCode()).isEqualTo(503);
            assertThat(backupAge(stale).path("status").asText()).isEqualTo("CRITICAL");
            assertThat(json.readTree(stale.body()).path("status").asText()).isEqualTo("CRITICAL");

            // both replicas show the age gauge, also the one that skipped the fire
            for (EmbedInYourService replica : List.of(first, second)) {
                assertThat(get(replica, "/metrics").body()).contains("pgvault.backup.last.success.age{repository=local:"
                        + dir.resolve("backups").toRealPath() + ",strategy=pgdump} " + (27.0 * 3600 - 5));
            }
        }
        assertThat(PG.cluster().queryValue("app", "SELECT count(*) FROM pg_stat_activity "
                + "WHERE application_name LIKE 'pgvault-job:%'")).isEqualTo("0");
    }

    private JobOutcome outcome(EmbedInYourService service) {
        Optional<JobResult> result = service.scheduler().lastResult("backup");
        return result.orElseThrow().outcome();
    }

    private HttpResponse<String> get(EmbedInYourService service, String path) throws IOException,
            InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode backupAge(HttpResponse<String> response) throws IOException {
        JsonNode root = json.readTree(response.body());
        return StreamSupport.stream(root.path("checks").spliterator(), false)
                .filter(c -> c.path("name").asText().equals("backup-age")).findFirst()
                .orElseThrow(() -> new AssertionError("no backup-age check in " + response.body()));
    }

    /** A clock the test moves; every component of both replicas reads it. */
    private static final class MovableClock extends Clock {
        private final AtomicReference<Instant> now;

        MovableClock(Instant start) {
            this.now = new AtomicReference<>(start);
        }

        void set(Instant instant) {
            now.set(instant);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("UTC only");
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }
}
