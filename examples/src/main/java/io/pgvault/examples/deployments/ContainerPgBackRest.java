package io.pgvault.examples.deployments;

import io.pgvault.api.BackupType;
import io.pgvault.api.PgConnection;
import io.pgvault.api.Secret;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.api.tier.Tier;
import io.pgvault.api.tier.TierFilter;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestConfig;
import io.pgvault.backend.pgbackrest.PgBackRestException;
import io.pgvault.backend.pgbackrest.PgBackRestRepo;
import io.pgvault.backend.pgbackrest.PgCluster;
import io.pgvault.backend.pgbackrest.mirror.MirrorRun;
import io.pgvault.backend.pgbackrest.mirror.PgBackRestMirror;
import io.pgvault.backend.pgbackrest.mirror.SourceRepo;
import io.pgvault.operations.ConnectionSource;
import io.pgvault.operations.health.ArchiveMonitor;
import io.pgvault.operations.health.BackupHealth;
import io.pgvault.operations.schedule.Job;
import io.pgvault.operations.schedule.JobStore;
import io.pgvault.operations.schedule.Scheduler;
import io.pgvault.spi.process.Launcher;
import io.pgvault.storage.gdrive.DriveCredentials;
import io.pgvault.storage.gdrive.GoogleDriveRepository;
import io.pgvault.storage.gdrive.GoogleDriveRepositoryConfig;
import io.pgvault.storage.s3.S3Credentials;
import io.pgvault.storage.s3.S3RepositoryConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

/**
 * Deployment 1 of REQUIREMENTS.md: one PostgreSQL in a container, pgBackRest inside it as {@code postgres}
 * ({@code docker exec -u postgres pg pgbackrest ...}), repo1 on S3 encrypted with aes-256-cbc, repo2 a local posix
 * cache, a daily full and a differential every 6 hours, {@code retention-full=4}/{@code retention-diff=4}, and the
 * month's last full mirrored to Google Drive as the off-provider copy. This process runs on the docker host.
 *
 * <pre>
 * AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... PGBACKREST_CIPHER_PASS=... PGPASSWORD=... \
 * DRIVE_SERVICE_ACCOUNT_FILE=/run/secrets/drive.json DRIVE_FOLDER_ID=1AbC... \
 *   java -cp ... io.pgvault.examples.deployments.ContainerPgBackRest [--recreate-stanza]
 * </pre>
 *
 * The container: the official {@code postgres:15} image with pgBackRest installed, named {@code pg}, its data on a
 * volume, the posix repo on a bind mount that the host sees at {@code /srv/pg/pgbackrest} (the mirror reads it from
 * the host), port 5432 published, and {@code archive_command} set to {@link PgBackRest#archiveCommand()} (printed at
 * start). Needs docker and a bucket, so it does not run on the build machines; the argument lists of
 * {@link Launcher#dockerExec} are unit-tested in backend-pgbackrest, and everything behind them against real
 * pgBackRest 2.45.
 *
 * <p>At start it runs {@code pgbackrest check}. When the cluster's system identifier no longer matches the stanza (the
 * container was re-created on an empty volume, the server migrated), it stops with the reason and the remedy and takes
 * no backup; {@code --recreate-stanza} is the operator's explicit decision to delete the old stanza's backups and
 * start over (docs/runbooks/stanza-mismatch.md explains the choices).
 *
 * @since 0.2.0
 */
public final class ContainerPgBackRest {
    private static final ZoneId ZONE = ZoneId.of("Europe/Berlin");

    private ContainerPgBackRest() {
    }

    /**
     * @param args {@code [--recreate-stanza]}
     * @throws IOException when the Drive key file cannot be read
     */
    public static void main(String[] args) throws IOException {
        // 1. Repositories as pgBackRest sees them: S3 (pgvault's S3 settings, mapped to repo1-s3-*) with client-side
        //    aes-256-cbc, and a posix cache inside the container. pgBackRest expires by itself: 4 fulls, 4 diffs.
        S3RepositoryConfig s3 = S3RepositoryConfig.builder("acme-pg-offsite")
                .prefix("pgbackrest/shop")
                .region("eu-central-1")
                .credentials(S3Credentials.environment())   // AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
                .build();
        PgBackRest pgbr = PgBackRest.of(PgBackRestConfig.builder("shop")
                .cluster(PgCluster.builder(Path.of("/var/lib/postgresql/data")).port(5432).build())
                .repo(PgBackRestRepo.s3(s3).cipher(secret("PGBACKREST_CIPHER_PASS"))
                        .retentionFull(4).retentionDiff(4).build())
                .repo(PgBackRestRepo.posix(Path.of("/var/lib/pgbackrest")).retentionFull(4).retentionDiff(4).build())
                .configFile(Path.of("/etc/pgvault/pgbackrest.conf"))   // inside the container
                .launcher(Launcher.dockerExec("pg", "postgres"))       // docker exec -i -u postgres -e NAME... pg
                .build());
        pgbr.writeConfig();   // written through docker exec: 0600, owned by postgres, secrets via stdin only
        System.out.println("archive_command = '" + pgbr.archiveCommand() + "'");

        // 2. The system-id check: never back up into, or silently delete, another cluster's stanza.
        try {
            pgbr.check(Duration.ofSeconds(60));
        } catch (PgBackRestException e) {
            if (e.kind() != PgBackRestException.Kind.STANZA_MISMATCH) {
                throw e;
            }
            if (!List.of(args).contains("--recreate-stanza")) {
                System.err.println("STANZA MISMATCH: " + e.getMessage());
                System.err.println("No backup was taken. Read docs/runbooks/stanza-mismatch.md, then rerun with "
                        + "--recreate-stanza to delete the old stanza's backups in both repos and start over.");
                System.exit(4);
            }
            for (PgBackRestRepo repo : pgbr.config().repos()) {
                pgbr.stanzaDelete(repo, true);         // stop, stanza-delete --force, start
            }
            pgbr.stanzaCreate();
            pgbr.check(Duration.ofSeconds(60));
            pgbr.backup(BackupType.FULL, pgbr.config().repo(1));
            pgbr.backup(BackupType.FULL, pgbr.config().repo(2));
        }

        // 3. The month's last full, with the WAL it needs, mirrored from the local cache to Google Drive (pgBackRest
        //    cannot write Drive); the mirror is a valid pgBackRest repository, still aes-256-cbc where the source is.
        //    Mirrored from repo2, read on the host through the bind mount; repo2 holds the same sets as repo1.
        GoogleDriveRepository drive = GoogleDriveRepository.of(GoogleDriveRepositoryConfig
                .builder(DriveCredentials.serviceAccount(Secret.of(Files.readString(
                        Path.of(env("DRIVE_SERVICE_ACCOUNT_FILE"))))))
                .rootFolderId(env("DRIVE_FOLDER_ID"))
                .folder("pgvault/shop")
                .build());
        PgBackRestMirror mirror = PgBackRestMirror.builder("shop")
                .source(pgbr, 2)
                .source(SourceRepo.posix(Path.of("/srv/pg/pgbackrest")))
                .tier(Tier.builder("drive", drive)
                        .filter(TierFilter.fullsOnly().then(TierFilter.lastOfMonth(ZONE)))
                        .retention(RetentionPolicy.keepLast(12))
                        .build())
                .build();

        // 4. Schedule (one process on the docker host: the local guard; fires remembered in a file across restarts).
        //    WAL goes to both repos continuously through archive_command; these are the base backups.
        PgConnection db = PgConnection.builder().host("127.0.0.1").port(5432).user("postgres")
                .password(secret("PGPASSWORD")).build();
        BackupHealth health = BackupHealth.builder().build()      // 24 h / 26 h backup age by default
                .watch("pgbackrest:shop/repo1", () -> pgbr.list(pgbr.config().repo(1)))
                .watch("pgbackrest:shop/repo2", () -> pgbr.list(pgbr.config().repo(2)))
                .watchArchive(ArchiveMonitor.builder("shop", ConnectionSource.of(db)).build())
                .watchMirror(mirror);                                  // WAL holes, missed month-ends, flagged sets
        Scheduler scheduler = Scheduler.builder()
                .store(JobStore.file(Path.of("/var/lib/pgvault/jobs.properties")))
                .job(Job.builder("daily-full").cron("0 1 * * *").zone(ZONE).task(ctx -> {
                    pgbr.backup(BackupType.FULL, pgbr.config().repo(1));
                    pgbr.backup(BackupType.FULL, pgbr.config().repo(2));
                }).build())
                .job(Job.builder("diff-every-6h").cron("0 7,13,19 * * *").zone(ZONE).task(ctx -> {
                    pgbr.backup(BackupType.DIFF, pgbr.config().repo(1));
                    pgbr.backup(BackupType.DIFF, pgbr.config().repo(2));
                }).build())
                .job(Job.builder("monthly-mirror").cron("0 3 1 * *").zone(ZONE).task(ctx -> {
                    MirrorRun run = mirror.mirror();          // last month's last full: only new files move
                    System.out.println(run.describe());
                    mirror.prune(PruneMode.EXECUTE);          // keep 12 month-ends on Drive
                    if (!run.succeeded()) {
                        throw new IllegalStateException("mirror to Drive failed: " + run.problem().orElse("?"));
                    }
                }).build())
                .job(Job.builder("health-log").cron("*/15 * * * *")
                        .task(ctx -> System.out.println(health.check().toJson())).build())
                .build();
        scheduler.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> scheduler.shutdown(Duration.ofMinutes(30))));
    }

    private static Secret secret(String name) {
        return Secret.fromEnv(name).orElseThrow(() -> new io.pgvault.api.ConfigurationException(name + " is not set"));
    }

    private static String env(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            throw new io.pgvault.api.ConfigurationException(name + " is not set");
        }
        return value;
    }
}
