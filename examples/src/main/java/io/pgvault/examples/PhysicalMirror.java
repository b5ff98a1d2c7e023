package io.pgvault.examples;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupType;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.api.tier.Tier;
import io.pgvault.api.tier.TierFilter;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestConfig;
import io.pgvault.backend.pgbackrest.PgBackRestRepo;
import io.pgvault.backend.pgbackrest.PgCluster;
import io.pgvault.backend.pgbackrest.mirror.MaterializedRepo;
import io.pgvault.backend.pgbackrest.mirror.MirrorRun;
import io.pgvault.backend.pgbackrest.mirror.PgBackRestMirror;
import io.pgvault.spi.Repository;
import io.pgvault.spi.process.Launcher;
import io.pgvault.storage.gdrive.GoogleDriveRepository;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static io.pgvault.examples.EnvSettings.require;
import static io.pgvault.examples.EnvSettings.secret;

/**
 * Deployment shapes 1 and 2 of REQUIREMENTS.md for physical backups: pgBackRest with a posix repo (repo1, the local
 * cache) and an S3 repo (repo2, off-site), both encrypted, and a month-end mirror of repo1 to Google Drive (the
 * off-provider copy pgBackRest cannot write itself): the last full of each month with the WAL it needs, 12 of them.
 *
 * <pre>
 * PGDATA=/var/lib/postgresql/15/main PGBACKREST_STANZA=main \
 * PGBACKREST_REPO1_PATH=/var/lib/pgbackrest PGBACKREST_REPO1_CIPHER_PASS=... \
 * BACKUP_S3_BUCKET=backups BACKUP_S3_PREFIX=pgbackrest/main [BACKUP_S3_ENDPOINT=https://s3.example.com] \
 * AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... AWS_REGION=eu-central-1 PGBACKREST_REPO2_CIPHER_PASS=... \
 * DRIVE_SERVICE_ACCOUNT_FILE=/run/secrets/drive.json DRIVE_FOLDER_ID=1AbC... BACKUP_TIMEZONE=Europe/Berlin \
 *   java -cp ... io.pgvault.examples.PhysicalMirror backup full|diff|incr   # to repo1 and repo2
 *   java -cp ... io.pgvault.examples.PhysicalMirror mirror                  # month-end sets to Drive, prune
 *   java -cp ... io.pgvault.examples.PhysicalMirror materialize DIR [LABEL...]  # Drive -> local posix repo
 * </pre>
 *
 * After {@code materialize}, restore with pgBackRest from a posix repo at {@code DIR} (same stanza and
 * {@code repo1-cipher-pass}); docs/runbooks/restore-from-drive-mirror.md walks through it.
 *
 * @since 0.2.0
 */
public final class PhysicalMirror {
    private PhysicalMirror() {
    }

    /**
     * The month-end mirror of this deployment: the last full of each month in {@code zone} (once the month has
     * ended), with the WAL it needs for consistency, 12 kept.
     *
     * @param pgbr       the stanza's facade
     * @param repo       the repo to mirror (the posix cache)
     * @param drive      the Drive repository (any repository works)
     * @param zone       whose calendar defines months
     * @param clock      the clock (tests fix it)
     * @param localOwner the OS user pgBackRest runs as, owner of materialized repositories
     * @return the mirror
     */
    public static PgBackRestMirror monthEndMirror(PgBackRest pgbr, int repo, Repository drive, ZoneId zone,
            Clock clock, String localOwner) {
        return PgBackRestMirror.builder(pgbr.config().stanza())
                .source(pgbr, repo)
                .tier(Tier.builder("drive", drive)
                        .filter(TierFilter.fullsOnly().then(TierFilter.lastOfMonth(zone)))
                        .retention(RetentionPolicy.keepLast(12))
                        .build())
                .clock(clock)
                .localOwner(localOwner)
                .build();
    }

    /**
     * @param args {@code backup full|diff|incr}, {@code mirror}, or {@code materialize DIR [LABEL...]}
     * @throws IOException when the Drive key file cannot be read
     */
    public static void main(String[] args) throws IOException {
        Map<String, String> env = System.getenv();
        if (args.length == 0) {
            throw new ConfigurationException("usage: PhysicalMirror backup full|diff|incr | mirror | materialize DIR "
                    + "[LABEL...]");
        }
        String user = env.getOrDefault("PGVAULT_RUN_AS", "postgres");
        PgBackRest pgbr = PgBackRest.of(config(env, user));
        ZoneId zone = ZoneId.of(env.getOrDefault("BACKUP_TIMEZONE", "UTC"));
        switch (args[0]) {
            case "backup" -> {
                BackupType type = BackupType.valueOf(args.length > 1 ? args[1].toUpperCase(java.util.Locale.ROOT)
                        : "FULL");
                pgbr.writeConfig();
                System.out.println("repo1: " + pgbr.backup(type, pgbr.config().repo(1)).id());
                System.out.println("repo2: " + pgbr.backup(type, pgbr.config().repo(2)).id());
            }
            case "mirror" -> {
                PgBackRestMirror mirror = monthEndMirror(pgbr, 1, GoogleDriveRepository.of(EnvSettings.drive(env, "pgvault-pgbackrest")), zone,
                        Clock.systemUTC(), user);
                MirrorRun run = mirror.mirror();
                System.out.println(run.describe());
                if (run.succeeded()) {
                    System.out.println(mirror.prune(PruneMode.EXECUTE).render());
                }
                System.out.println(mirror.placement().render());
                System.exit(run.succeeded() ? 0 : 3); // 3: the Drive copy is behind; the next run resumes it
            }
            case "materialize" -> {
                if (args.length < 2) {
                    throw new ConfigurationException("materialize needs a directory");
                }
                PgBackRestMirror mirror = monthEndMirror(pgbr, 1, GoogleDriveRepository.of(EnvSettings.drive(env, "pgvault-pgbackrest")), zone,
                        Clock.systemUTC(), user);
                List<BackupId> sets = Arrays.stream(args, 2, args.length).map(BackupId::of).toList();
                MaterializedRepo repo = mirror.materialize(Path.of(args[1]), sets);
                System.out.println("materialized " + repo.sets() + " into " + repo.directory() + ": "
                        + repo.filesDownloaded() + " files, " + repo.bytesDownloaded() + " bytes, verified");
            }
            default -> throw new ConfigurationException("unknown command " + args[0]);
        }
    }

    private static PgBackRestConfig config(Map<String, String> env, String user) {
        PgBackRestRepo repo1 = PgBackRestRepo.posix(Path.of(env.getOrDefault("PGBACKREST_REPO1_PATH",
                "/var/lib/pgbackrest"))).cipher(secret(env, "PGBACKREST_REPO1_CIPHER_PASS")).build();
        PgBackRestRepo repo2 = PgBackRestRepo.s3(EnvSettings.s3(env, "pgbackrest").build())
                .cipher(secret(env, "PGBACKREST_REPO2_CIPHER_PASS")).build();
        return PgBackRestConfig.builder(require(env, "PGBACKREST_STANZA"))
                .cluster(PgCluster.builder(Path.of(require(env, "PGDATA")))
                        .port(Integer.parseInt(env.getOrDefault("PGPORT", "5432"))).build())
                .repo(repo1)
                .repo(repo2)
                .configFile(Path.of(env.getOrDefault("PGVAULT_PGBACKREST_CONF", "/etc/pgvault/pgbackrest.conf")))
                .launcher("root".equals(System.getProperty("user.name")) ? Launcher.runuser(user) : Launcher.local())
                .build();
    }
}
