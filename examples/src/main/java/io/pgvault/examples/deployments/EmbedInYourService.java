package io.pgvault.examples.deployments;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVault;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.operations.ConnectionSource;
import io.pgvault.operations.drill.DrillReport;
import io.pgvault.operations.drill.LogicalDrill;
import io.pgvault.operations.drill.RestoreDrill;
import io.pgvault.operations.health.BackupHealth;
import io.pgvault.operations.health.HealthReport;
import io.pgvault.operations.health.HealthStatus;
import io.pgvault.operations.metrics.VaultMetrics;
import io.pgvault.operations.schedule.Job;
import io.pgvault.operations.schedule.JobStore;
import io.pgvault.operations.schedule.MisfirePolicy;
import io.pgvault.operations.schedule.PostgresAdvisoryGuard;
import io.pgvault.operations.schedule.RunOn;
import io.pgvault.operations.schedule.Scheduler;
import io.pgvault.storage.local.LocalRepository;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How a Java service owns the backups of its own database, without Spring or any container: pgvault for the backups,
 * the scheduler for cron, an advisory lock so that only one of the service's replicas runs each job, health as JSON
 * and Micrometer meters over the JDK's own HTTP server, and a clean shutdown.
 *
 * <pre>
 * PGHOST=db PGDATABASE=app PGUSER=backup PGPASSWORD=... BACKUP_DIR=/var/backups/pg \
 * BACKUP_CRON='0 2 * * *' DRILL_CRON='0 4 1 * *' HTTP_PORT=8080 \
 *   java -cp ... io.pgvault.examples.deployments.EmbedInYourService
 * curl localhost:8080/health     # HealthReport JSON: 200, or 503 when a check is CRITICAL
 * curl localhost:8080/metrics    # every meter, one line each: pgvault.backup.last.success.age{...} 3600.0
 * </pre>
 *
 * In a real service the pieces below go where the service builds its other singletons; the registry would be the
 * service's own (Prometheus, OTLP, ...), the {@code /health} handler its own health framework's. Runs here against
 * any PostgreSQL; {@code EmbedInYourServiceIT} starts it on free ports with a clock it moves. The JDK server writes a
 * response's headers and body separately; start the JVM with {@code -Dsun.net.httpserver.nodelay=true} or each
 * response may wait about 40 ms for a delayed ACK.
 *
 * @since 0.2.0
 */
public final class EmbedInYourService implements AutoCloseable {
    private final Scheduler scheduler;
    private final HttpServer http;
    private final SimpleMeterRegistry registry;
    private final Duration shutdownGrace;

    private EmbedInYourService(Scheduler scheduler, HttpServer http, SimpleMeterRegistry registry,
            Duration shutdownGrace) {
        this.scheduler = scheduler;
        this.http = http;
        this.registry = registry;
        this.shutdownGrace = shutdownGrace;
    }

    /** Starts the service from the environment and stops it cleanly when the JVM is asked to exit. */
    public static void main(String[] args) throws IOException {
        Map<String, String> env = System.getenv();
        Settings settings = new Settings(
                PgConnection.fromEnvironment().orElseThrow(() -> new ConfigurationException(
                        "set the libpq variables PGHOST/PGDATABASE/PGUSER (and PGPASSWORD)")),
                Path.of(Optional.ofNullable(env.get("BACKUP_DIR")).orElseThrow(() -> new ConfigurationException(
                        "BACKUP_DIR is required"))),
                env.getOrDefault("BACKUP_CRON", "0 2 * * *"),
                env.getOrDefault("DRILL_CRON", "0 4 1 * *"),
                Integer.parseInt(env.getOrDefault("HTTP_PORT", "8080")),
                Clock.systemUTC(), Duration.ofSeconds(1));
        EmbedInYourService service = start(settings);
        // SIGTERM (docker stop, systemctl stop, Kubernetes) runs this: no backup is cut off mid-stream by the JVM
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "pgvault-shutdown"));
        System.out.println("pgvault embedded: http://localhost:" + service.port() + "/health");
    }

    /**
     * Wires and starts everything.
     *
     * @param settings what to back up, where, when, and where to listen
     * @return the running service; {@link #close()} stops it
     * @throws IOException when the HTTP port cannot be bound
     */
    public static EmbedInYourService start(Settings settings) throws IOException {
        Clock clock = settings.clock();

        // 1. Observers first, so that they hear about every backup: health (24 h / 26 h by default) and metrics.
        BackupHealth health = BackupHealth.builder().clock(clock).build();
        VaultMetrics metrics = VaultMetrics.builder().clock(clock).build();

        // 2. The vault: pg_dump of the service's database into a local directory (add tiers for 3-2-1).
        PgVault vault = PgVault.builder()
                .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(settings.db()).build()))
                .repository(LocalRepository.at(settings.backupDir()))
                // a directory only this service writes; for a shared repository configure an integrity key or
                // encryption instead, and restores prove every manifest (ADR 0013)
                .acceptUnauthenticated(true)
                .clock(clock)
                .listener(health)
                .listener(metrics)
                .build();
        health.watch(vault);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        metrics.watch(vault).bindTo(registry); // seeded from the catalog: right values right after a restart

        // 3. Jobs. The advisory lock lives in the backed-up database, so every replica of this service agrees on
        //    who runs a fire; the job store in the same database remembers handled fires across restarts.
        ConnectionSource database = ConnectionSource.of(settings.db());
        RetentionPolicy retention = RetentionPolicy.calendar().daily(7).weekly(4).monthly(12).build();
        RestoreDrill drill = LogicalDrill.builder().vault(vault).build();
        Scheduler scheduler = Scheduler.builder()
                .clock(clock)
                .tickInterval(settings.tickInterval())
                .guard(PostgresAdvisoryGuard.of(database))
                .store(JobStore.postgres(database))
                .job(Job.builder("backup").cron(settings.backupCron())
                        .runOn(RunOn.LEADER_ONLY)             // never on a standby the service may point at
                        .task(ctx -> {
                            vault.backup();
                            vault.prune(retention, PruneMode.EXECUTE);
                        })
                        .build())
                .job(Job.builder("restore-drill").cron(settings.drillCron())
                        .misfire(MisfirePolicy.SKIP)          // a missed drill waits for next month
                        .task(ctx -> {
                            DrillReport report = drill.run(); // recorded in the repository; health reads it
                            if (!report.passed()) {
                                throw new IllegalStateException(report.toText());
                            }
                        })
                        .build())
                .build();

        // 4. HTTP: health as JSON (503 when critical, for load balancers and probes) and the meters as text.
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", settings.httpPort()), 0);
        http.createContext("/health", exchange -> {
            HealthReport report = health.check();
            respond(exchange, report.status() == HealthStatus.CRITICAL ? 503 : 200, "application/json",
                    report.toJson());
        });
        http.createContext("/metrics", exchange -> {
            // Events reach only the replica that ran the backup; the others learn of it from the shared catalog.
            // (With a pull registry such as Prometheus's, call metrics.watch(vault) on a timer instead.)
            metrics.watch(vault);
            respond(exchange, 200, "text/plain", render(registry));
        });
        http.start();
        scheduler.start();
        return new EmbedInYourService(scheduler, http, registry, Duration.ofMinutes(5));
    }

    /** @return the HTTP port (useful with port 0) */
    public int port() {
        return http.getAddress().getPort();
    }

    /** @return the scheduler, e.g. to read {@link Scheduler#lastResult(String)} */
    public Scheduler scheduler() {
        return scheduler;
    }

    /**
     * Stops in the order that loses nothing: no new fires, running jobs finish (a backup in flight completes or
     * is removed, never half-listed), then the HTTP server and the registry. Idempotent.
     */
    @Override
    public void close() {
        boolean finished = scheduler.shutdown(shutdownGrace);
        http.stop(0);
        registry.close();
        System.out.println("pgvault embedded stopped" + (finished ? "" : " (a job was interrupted)"));
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** One line per measurement, {@code name{tag=value,...} value}: enough for a quick look or a text scraper. */
    private static String render(SimpleMeterRegistry registry) {
        StringBuilder sb = new StringBuilder();
        for (Meter meter : registry.getMeters()) {
            String tags = meter.getId().getTags().stream().map(t -> t.getKey() + "=" + t.getValue())
                    .collect(Collectors.joining(",", "{", "}"));
            for (Measurement m : meter.measure()) {
                String statistic = m.getStatistic().getTagValueRepresentation();
                String suffix = "value".equals(statistic) ? "" : "." + statistic;
                sb.append(meter.getId().getName()).append(suffix).append(tags).append(' ').append(m.getValue())
                        .append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * What the service needs.
     *
     * @param db           the service's database (backed up, and home of the advisory locks and job store)
     * @param backupDir    the local repository
     * @param backupCron   when backups run, e.g. {@code 0 2 * * *}
     * @param drillCron    when restore drills run, e.g. {@code 0 4 1 * *}
     * @param httpPort     where health and metrics are served (0: any free port)
     * @param clock        the time source of everything (tests move it)
     * @param tickInterval how often the scheduler looks for due jobs
     */
    public record Settings(PgConnection db, Path backupDir, String backupCron, String drillCron, int httpPort,
            Clock clock, Duration tickInterval) {
    }
}
