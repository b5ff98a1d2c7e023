package io.pgvault.examples.deployments;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.api.PgConnection;
import io.pgvault.api.Secret;
import io.pgvault.api.event.Events;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.backend.pgbackrest.CompressType;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestConfig;
import io.pgvault.backend.pgbackrest.PgBackRestRepo;
import io.pgvault.backend.pgbackrest.PgCluster;
import io.pgvault.backend.pgbackrest.RestoreTarget;
import io.pgvault.operations.ConnectionSource;
import io.pgvault.operations.drill.DrillReport;
import io.pgvault.operations.drill.PhysicalDrill;
import io.pgvault.operations.drill.SqlAssertion;
import io.pgvault.operations.health.ArchiveMonitor;
import io.pgvault.operations.health.BackupHealth;
import io.pgvault.operations.health.Thresholds;
import io.pgvault.operations.metrics.VaultMetrics;
import io.pgvault.operations.schedule.Job;
import io.pgvault.operations.schedule.JobStore;
import io.pgvault.operations.schedule.MisfirePolicy;
import io.pgvault.operations.schedule.PostgresAdvisoryGuard;
import io.pgvault.operations.schedule.RunOn;
import io.pgvault.operations.schedule.Scheduler;
import io.pgvault.spi.process.Launcher;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.storage.s3.S3Credentials;
import io.pgvault.storage.s3.S3RepositoryConfig;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Deployment 2 of REQUIREMENTS.md: a three-node Patroni cluster backed up with pgBackRest to an S3-compatible store
 * (Backblaze B2 here; Wasabi and MinIO differ only in endpoint and region). This process runs on <em>every</em> node,
 * beside PostgreSQL; the single-runner guard makes sure only the node that is currently the leader backs up, so a
 * failover moves the backups with the leader and a fire never runs twice.
 *
 * <pre>
 * PGVAULT_PRIMARY_HOST=patroni-primary.internal   # the cluster's read-write endpoint (HAProxy/Patroni REST)
 * PGPASSWORD=...                                  # role pgvault on every node
 * B2_KEY_ID=... B2_APPLICATION_KEY=... PGBACKREST_CIPHER_PASS=...
 *   java -cp ... io.pgvault.examples.deployments.PatroniPgBackRest
 * </pre>
 *
 * Needs a real Patroni node (PostgreSQL at /var/lib/postgresql/15/main with {@code archive_command} set to
 * {@link PgBackRest#archiveCommand()} through Patroni's {@code postgresql.parameters}) and a real bucket, so it does
 * not run on a build machine; the pieces it wires are each tested against real PostgreSQL and pgBackRest in their
 * modules.
 *
 * <p>On {@code backup-standby}: pgBackRest backs up from a standby only when the stanza names both the primary and a
 * standby ({@code pg1-*} and {@code pg2-*}, {@link PgBackRestConfig.Builder#standby(PgCluster)} with
 * {@code BackupStandby.PREFER} on pgBackRest 2.54+). This example backs up on the leader from the leader: the other
 * nodes are on other hosts, so pgBackRest would reach them over ssh ({@code pgN-host}), which this deployment does not
 * set up.
 *
 * @since 0.2.0
 */
public final class PatroniPgBackRest {
    private PatroniPgBackRest() {
    }

    /** Starts the node's backup service; it runs until the JVM is stopped. */
    public static void main(String[] args) {
        Clock clock = Clock.systemUTC();

        // 1. The store: S3-compatible endpoint, its own region, path-style addressing.
        S3RepositoryConfig b2 = S3RepositoryConfig.builder("acme-pg-backups")
                .prefix("pgbackrest/orders")
                .endpoint(URI.create("https://s3.eu-central-003.backblazeb2.com"))
                .region("eu-central-003")
                .pathStyle(true)
                .credentials(S3Credentials.ofStatic(env("B2_KEY_ID"), Secret.of(env("B2_APPLICATION_KEY"))))
                .build();

        // 2. pgBackRest on this node, as the postgres OS user: zst level 3, 4 processes, asynchronous archiving with
        //    a bounded queue (past 4 GiB of unarchived WAL pgBackRest drops WAL and says so, instead of filling the
        //    disk), archive-timeout 60 s for check. Retention is pgvault's (below), so pgBackRest's own is disabled.
        PgBackRest pgbr = PgBackRest.of(PgBackRestConfig.builder("orders")
                .cluster(PgCluster.builder(Path.of("/var/lib/postgresql/15/main")).port(5432).build())
                .repo(PgBackRestRepo.s3(b2).cipher(Secret.of(env("PGBACKREST_CIPHER_PASS"))).build())
                .configFile(Path.of("/etc/pgvault/pgbackrest.conf"))
                .compressType(CompressType.ZST).compressLevel(3)
                .processMax(4)
                .archiveAsync(true).archivePushQueueMax(4L * 1024 * 1024 * 1024)
                .archiveTimeout(Duration.ofSeconds(60))
                .launcher(Launcher.asUser("postgres"))
                .build());
        pgbr.writeConfig();   // idempotent; pgbackrest.conf and the 0600 secrets include, owned by postgres
        System.out.println("archive_command = '" + pgbr.archiveCommand() + "'   # put it in Patroni's config");

        // 3. Keep 4 fulls with 7 differentials, everything from the last 14 days (and the WAL between: PITR over
        //    two weeks), and the last backup of each month for a year. A kept INCR keeps the sets it needs.
        RetentionPolicy retention = RetentionPolicy.anyOf(
                RetentionPolicy.fulls(4).diffs(7).build(),
                RetentionPolicy.keepWithin(Duration.ofDays(14)),
                RetentionPolicy.calendar().monthly(12).build());

        // 4. Monitoring: backup age 24 h / 26 h, WAL archiving (pg_stat_archiver + `pgbackrest check
        //    --archive-timeout=60` every 15 min), Micrometer gauges. Prometheus names: pgvault.backup.last.success
        //    is the old last_backup_timestamp, pgvault.archive.failing the old archive_check_failed.
        PgConnection local = PgConnection.builder().host("127.0.0.1").port(5432).user("pgvault")
                .database("postgres").password(Secret.of(env("PGPASSWORD"))).build();
        ConnectionSource node = ConnectionSource.of(local);
        ConnectionSource primary = ConnectionSource.of(local.toBuilder().host(env("PGVAULT_PRIMARY_HOST")).build());
        String location = "pgbackrest:orders/repo1";
        ArchiveMonitor archive = ArchiveMonitor.builder("orders", node)
                .toolCheck("pgbackrest check", () -> pgbr.check(Duration.ofSeconds(60)))
                .build();
        BackupHealth health = BackupHealth.builder().clock(clock)
                .backupAge(Thresholds.of(Duration.ofHours(24), Duration.ofHours(26)))
                .build()
                .watch(location, () -> pgbr.list(pgbr.config().repo(1)))
                .watchArchive(archive);
        VaultMetrics metrics = VaultMetrics.builder().clock(clock).build().watchArchive(archive);
        MeterRegistry registry = new SimpleMeterRegistry();   // the service's Prometheus registry in production
        metrics.bindTo(registry);

        // 5. Jobs, on the leader only: the guard asks the *local* node whether it is in recovery, and takes the
        //    job's advisory lock there; the job store lives on the primary, where every node reads the same record.
        Scheduler scheduler = Scheduler.builder()
                .guard(PostgresAdvisoryGuard.of(node))
                .store(JobStore.postgres(primary))
                .job(Job.builder("weekly-full").cron("0 1 * * SUN").runOn(RunOn.LEADER_ONLY)
                        .task(ctx -> backup(pgbr, BackupType.FULL, location, health, metrics, clock)).build())
                .job(Job.builder("daily-incr").cron("0 1 * * MON-SAT").runOn(RunOn.LEADER_ONLY)
                        .task(ctx -> backup(pgbr, BackupType.INCR, location, health, metrics, clock)).build())
                .job(Job.builder("retention").cron("30 3 * * *").runOn(RunOn.LEADER_ONLY)
                        .task(ctx -> System.out.println(pgbr.applyRetention(retention, pgbr.config().repo(1),
                                PruneMode.EXECUTE).render())).build())
                // the monthly restore test: PITR to an hour before the fire into a throwaway instance, promoted,
                // checked with amcheck and an assertion; recorded as drills/<set>.json (see RestoreDrill.lastDrill)
                .job(Job.builder("monthly-pitr-drill").cron("0 5 1 * *").misfire(MisfirePolicy.SKIP)
                        .task(ctx -> {
                            DrillReport report = PhysicalDrill.builder().pgBackRest(pgbr).repo(1)
                                    .pitrTarget(RestoreTarget.time(ctx.scheduledFor().minus(Duration.ofHours(1))))
                                    .records(LocalRepository.at(Path.of("/var/lib/pgvault/drills")))
                                    .workDirectory(Path.of("/var/lib/pgvault/scratch"))
                                    .assertion(SqlAssertion.isTrue("orders were taken",
                                            "SELECT count(*) > 0 FROM orders.orders"))
                                    .build().run();
                            System.out.println(report.toText());
                            if (!report.passed()) {
                                throw new IllegalStateException("PITR drill failed: " + report.problems());
                            }
                            metrics.drillPassed(location, report.finishedAt(), report.rto().orElse(null));
                        }).build())
                .build();
        scheduler.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> scheduler.shutdown(Duration.ofMinutes(30))));
        System.out.println(health.check().toJson());
    }

    /** One backup, announced to health and metrics as a vault would (pgBackRest keeps no pgvault catalog). */
    private static void backup(PgBackRest pgbr, BackupType type, String location, BackupHealth health,
            VaultMetrics metrics, Clock clock) {
        BackupSet set = pgbr.backup(type, pgbr.config().repo(1));
        Events.BackupCompleted done = new Events.BackupCompleted(clock.instant(), location, set);
        health.on(done);
        metrics.on(done);
        System.out.println("backup " + set.id() + " (" + set.type() + ") in " + set.duration());
    }

    private static String env(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new io.pgvault.api.ConfigurationException(name + " is not set");
        }
        return value;
    }
}
