package io.pgvault.spring;

import io.pgvault.api.AgeKeys;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PgVault;
import io.pgvault.operations.schedule.JobOutcome;
import io.pgvault.operations.schedule.JobResult;
import io.pgvault.operations.schedule.Scheduler;
import io.pgvault.spring.app.BackupServiceApplication;
import io.pgvault.testkit.MutableClock;
import io.pgvault.testkit.PostgresFixture;
import io.pgvault.testkit.s3.S3ProxyFixture;
import io.pgvault.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A real Spring Boot application (web, Actuator, Prometheus, JDBC; {@link BackupServiceApplication}) configured by its
 * {@code application.yml} alone, against a real PostgreSQL 15, a local primary and an S3 tier on S3Proxy.
 */
class PgVaultStarterIT {
    @RegisterExtension
    static final PostgresFixture PG = PostgresFixture.create();
    @RegisterExtension
    static final S3ProxyFixture S3 = S3ProxyFixture.create();

    @TempDir
    static Path dir;

    private final List<ConfigurableApplicationContext> started = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void database() throws Exception {
        PG.cluster().createDatabase("app");
        PG.cluster().psql("app", "CREATE TABLE orders(id int PRIMARY KEY, note text); "
                + "INSERT INTO orders SELECT g, 'order ' || g FROM generate_series(1, 1000) g;");
        Files.writeString(dir.resolve("identity.txt"), AgeKeys.generateIdentity().reveal() + "\n");
        Files.writeString(dir.resolve("s3-secret"), S3.server().secretKey().reveal());
    }

    @AfterEach
    void stop() {
        started.forEach(ConfigurableApplicationContext::close);
        BackupServiceApplication.clock = java.time.Clock.systemUTC();
    }

    private ConfigurableApplicationContext start(String cron, String bucket, String... extra) {
        Map<String, Object> p = new HashMap<>();
        p.put("server.port", "0");
        p.put("it.pg.port", String.valueOf(PG.cluster().port()));
        p.put("it.dir", dir.toString());
        p.put("it.s3.bucket", bucket);
        p.put("it.s3.endpoint", S3.server().endpoint().toString());
        p.put("it.s3.key", S3.server().accessKey());
        p.put("it.cron", cron);
        List<String> args = new ArrayList<>();
        for (int i = 0; i < extra.length; i += 2) {
            args.add("--" + extra[i] + "=" + extra[i + 1]); // command-line arguments win over application.yml
        }
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(BackupServiceApplication.class)
                .properties(p).run(args.toArray(String[]::new));
        started.add(ctx);
        return ctx;
    }

    private HttpResponse<String> get(ConfigurableApplicationContext ctx, String path) throws Exception {
        int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("two instances sharing the database run the scheduled backup once; Actuator health shows pgvault's "
            + "components and turns DOWN once the backup is older than critical; metrics and Prometheus show the age")
    void twoInstances() throws Exception {
        Instant fire = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(2));
        ZonedDateTime f = fire.atZone(ZoneOffset.UTC);
        String cron = f.getMinute() + " " + f.getHour() + " " + f.getDayOfMonth() + " " + f.getMonthValue() + " *";
        MutableClock clock = new MutableClock(fire.minusSeconds(5));
        BackupServiceApplication.clock = clock;
        String bucket = S3ProxyServer.uniqueBucket("starter");
        ConfigurableApplicationContext a = start(cron, bucket);
        ConfigurableApplicationContext b = start(cron, bucket);
        PgVault vault = a.getBean(PgVault.class);
        assertThat(vault.list()).isEmpty();

        clock.set(fire.plusSeconds(1));
        await().atMost(Duration.ofSeconds(60)).until(() -> result(a).isPresent() && result(b).isPresent());
        List<JobOutcome> outcomes = List.of(result(a).get().outcome(), result(b).get().outcome());
        assertThat(outcomes).containsOnlyOnce(JobOutcome.SUCCEEDED)
                .anySatisfy(o -> assertThat(o).isIn(JobOutcome.SKIPPED_RUNNING_ELSEWHERE,
                        JobOutcome.SKIPPED_ALREADY_RAN));
        assertThat(vault.list()).hasSize(1);
        assertThat(b.getBean(PgVault.class).list()).hasSize(1);
        assertThat(vault.onTier("offsite").list()).hasSize(1);

        HttpResponse<String> health = get(b, "/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"pgvault\"", "\"primary\"", "\"tier-offsite\"", "\"backup-age\"")
                .doesNotContain("AGE-SECRET-KEY");
        assertThat(get(b, "/actuator/health/pgvault/primary").body()).contains("\"status\":\"UP\"");

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                get(b, "/actuator/metrics/pgvault.backup.last.success.age").statusCode()).isEqualTo(200));
        assertThat(get(a, "/actuator/prometheus").body()).contains("pgvault_backup_last_success_age_seconds",
                "pgvault_job_results_total");

        clock.advance(Duration.ofHours(27));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> down = get(a, "/actuator/health");
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(down.body()).contains("\"status\":\"DOWN\"").contains("CRITICAL");
        });
        // the age is per source (the database dumped): component primary-app; the repository's own checks stay UP
        assertThat(get(a, "/actuator/health/pgvault/primary-app").body()).contains("\"status\":\"DOWN\"",
                "\"backup-age\"");
        assertThat(get(a, "/actuator/health/pgvault/primary").body()).contains("\"status\":\"UP\"");
        assertThat(vault.list()).as("no second backup: the cron fires once a year").hasSize(1);
    }

    private static Optional<JobResult> result(ConfigurableApplicationContext ctx) {
        return ctx.getBean(Scheduler.class).lastResult("backup");
    }

    @Test
    @DisplayName("a bad configuration fails start-up with every problem and its property path")
    void badConfiguration() {
        // a list on the command line replaces application.yml's whole (Spring Boot's rule): this tier has no bucket
        assertThatThrownBy(() -> start("0 2 * * *", "b", "pgvault.dump.format", "tarball",
                "pgvault.tiers[0].name", "offsite", "pgvault.tiers[0].repository.s3.region", "eu-west-1",
                "pgvault.retention.keep-lst", "7",
                "pgvault.database.password", "inline-secret-value"))
                .hasRootCauseInstanceOf(ConfigurationException.class)
                .rootCause().isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("pgvault.dump.format must be "
                            + "one of plain, custom, directory, was 'tarball'"))
                            .anySatisfy(p -> assertThat(p).startsWith("pgvault.tiers[0].repository.s3.bucket is "
                                    + "required"))
                            .anySatisfy(p -> assertThat(p).startsWith("pgvault.retention.keep-lst is not a pgvault "
                                    + "setting"))
                            .anySatisfy(p -> assertThat(p).startsWith("pgvault.database.password must reference"));
                    assertThat(e.getMessage()).doesNotContain("inline-secret-value");
                });
    }

    @Test
    @DisplayName("pgvault.enabled=false: the application starts without any pgvault bean")
    void disabled() {
        ConfigurableApplicationContext ctx = start("0 2 * * *", "b", "pgvault.enabled", "false");
        assertThat(ctx.getBeansOfType(PgVault.class)).isEmpty();
        assertThat(ctx.getBeansOfType(Scheduler.class)).isEmpty();
    }
}
