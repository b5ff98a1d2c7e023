package io.pgvault.examples.mirror;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.api.Secret;
import io.pgvault.api.tier.Placement;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestConfig;
import io.pgvault.backend.pgbackrest.PgBackRestRepo;
import io.pgvault.backend.pgbackrest.PgCluster;
import io.pgvault.backend.pgbackrest.PhysicalRestoreRequest;
import io.pgvault.backend.pgbackrest.RestoreTarget;
import io.pgvault.backend.pgbackrest.TargetAction;
import io.pgvault.backend.pgbackrest.mirror.MaterializedRepo;
import io.pgvault.backend.pgbackrest.mirror.MirrorRun;
import io.pgvault.backend.pgbackrest.mirror.PgBackRestMirror;
import io.pgvault.backend.pgbackrest.mirror.SourceRepo;
import io.pgvault.api.tier.Tier;
import io.pgvault.api.tier.TierFilter;
import io.pgvault.examples.PhysicalMirror;
import io.pgvault.storage.gdrive.DriveCredentials;
import io.pgvault.storage.gdrive.GoogleDriveRepository;
import io.pgvault.storage.gdrive.GoogleDriveRepositoryConfig;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.storage.s3.S3Credentials;
import io.pgvault.storage.s3.S3Repository;
import io.pgvault.storage.s3.S3RepositoryConfig;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.MatrixPair;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.gdrive.DriveV3Fake;
import io.pgvault.testkit.s3.TlsS3Server;
import io.pgvault.testkit.s3.TlsS3ServerFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deployment shape 2/1 with real pgBackRest 2.45 and PostgreSQL 15 (subclasses: another {@link MatrixPair}): an encrypted posix repo1 and an encrypted S3
 * repo2 (S3Proxy over TLS) in one stanza, and {@link PhysicalMirror}'s month-end mirror of repo1 to Google Drive (the
 * Drive v3 fake, driven by the real Google client). The restore uses the Drive copy alone: repo1 is moved away and
 * the restoring pgBackRest knows only the materialized repository.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PhysicalMirrorIT {
    /** Closed after {@link #tearDown()} has stopped PostgreSQL (archive-push would retry against a dead S3). */
    @RegisterExtension
    static final TlsS3ServerFixture S3 = TlsS3ServerFixture.create();

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final Secret REPO1_PASS = Secret.of("repo1 passphrase: test only");
    private static final Secret REPO2_PASS = Secret.of("repo2 passphrase: test only");
    private static final String CLIENT_ID = "pgvault-mirror.apps.googleusercontent.com";
    private static final String CLIENT_SECRET = "GOCSPX-mirror-" + UUID.randomUUID();
    private static final String REFRESH_TOKEN = "1//mirror-" + UUID.randomUUID();

    private DriveV3Fake drive;
    private Path base;
    private PostgresCluster pg;
    private PgBackRest pgbr;
    private S3RepositoryConfig s3Config;
    private BackupSet full;
    private BackupSet s3Full;
    private Map<String, String> source;
    private java.util.Optional<String> executable;

    /** @return the PostgreSQL server and pgBackRest this class runs on */
    MatrixPair pair() {
        return MatrixPair.PG15_PGBR245;
    }

    @BeforeAll
    void setUp() {
        pair().assumeInstalled();
        drive = DriveV3Fake.start();
        drive.registerOAuthClient(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN);
        base = serverDirectory();
        executable = pair().executable(base); // one copy of a non-system pgBackRest, shared by every config
        pg = pair().cluster().baseDirectory(base)
                .conf("wal_level = replica", "archive_mode = on", "archive_command = '/bin/false'").start();
        TlsS3Server server = S3.server();
        String bucket = TlsS3Server.uniqueBucket("pgbr-mirror");
        server.createBucket(bucket);
        s3Config = S3RepositoryConfig.builder(bucket).endpoint(server.endpoint()).pathStyle(true)
                .region(TlsS3Server.REGION).prefix("pgbackrest/main")
                .credentials(S3Credentials.ofStatic(server.accessKey(), server.secretKey()))
                .caFile(server.caFile()).build();
        pgbr = PgBackRest.of(config(base.resolve("repo1"), pg.dataDirectory(), "conf", true));
        pgbr.writeConfig();
        pg.configure("archive_command = " + PostgresCluster.quoteLiteral(pgbr.archiveCommand()));
        pg.restart();
        pgbr.stanzaCreate();
        pg.createDatabase("shop");
        DemoDatabase.realistic(1).applyTo(pg, "shop");
        source = DemoDatabase.fingerprint(pg, "shop");
        full = pgbr.backup(BackupType.FULL, 1);
        s3Full = pgbr.backup(BackupType.FULL, 2);
    }

    @AfterAll
    void tearDown() {
        try {
            if (pg != null) {
                pg.close();
            }
        } finally {
            if (drive != null) {
                drive.close();
            }
            delete(base);
        }
    }

    private PgBackRestConfig config(Path repo1, Path dataDir, String name, boolean withS3) {
        PgBackRestConfig.Builder b = PgBackRestConfig.builder("main")
                .cluster(PgCluster.builder(dataDir).port(pg.port()).socketDirectory(pg.socketDirectory())
                        .binDir(pg.binDir()).build())
                .repo(PgBackRestRepo.posix(repo1).cipher(REPO1_PASS).build())
                .configFile(base.resolve(name).resolve("pgbackrest.conf"))
                .workDirectory(base.resolve("work-" + name))
                .launcher(pg.serverLauncher())
                .archiveTimeout(Duration.ofSeconds(30));
        executable.ifPresent(b::executable);
        if (withS3) {
            b.repo(PgBackRestRepo.s3(s3Config).cipher(REPO2_PASS).build());
        }
        return b.build();
    }

    private GoogleDriveRepository driveRepository(String folder) {
        DriveCredentials credentials = ((DriveCredentials.OAuth) DriveCredentials.oauth(CLIENT_ID,
                Secret.of(CLIENT_SECRET), Secret.of(REFRESH_TOKEN))).withTokenUri(drive.tokenUri());
        return GoogleDriveRepository.of(GoogleDriveRepositoryConfig.builder(credentials)
                .rootUrl(URI.create(drive.rootUrl())).folder(folder)
                .backoff(Duration.ofMillis(2), Duration.ofMillis(50)).build());
    }

    /** One hour into the month after the one the set started in, in Berlin: the set's month has ended. */
    private static Clock nextMonth(BackupSet s) {
        Instant at = s.startedAt().atZone(BERLIN).toLocalDate().withDayOfMonth(1).plusMonths(1)
                .atStartOfDay(BERLIN).plusHours(1).toInstant();
        return Clock.fixed(at, ZoneOffset.UTC);
    }

    @Test
    @DisplayName("the month-end full goes to Drive once its month has ended, and restores from the Drive copy "
            + "alone to match the source")
    void monthEndMirrorRestoresFromDriveAlone() throws IOException {
        GoogleDriveRepository folder = driveRepository("pgvault/" + UUID.randomUUID());
        PgBackRestMirror open = PhysicalMirror.monthEndMirror(pgbr, 1, folder, BERLIN,
                Clock.fixed(full.startedAt().plusSeconds(120), ZoneOffset.UTC), PostgresCluster.SUPERUSER);
        assertThat(open.mirror().copies()).as("the month is still open").isEmpty();

        PgBackRestMirror mirror = PhysicalMirror.monthEndMirror(pgbr, 1, folder, BERLIN, nextMonth(full),
                PostgresCluster.SUPERUSER);
        MirrorRun run = mirror.mirror();

        assertThat(run.succeeded()).as(run.describe()).isTrue();
        assertThat(run.copies()).extracting(c -> c.id()).containsExactly(full.id());
        Placement p = mirror.placement().find(full.id()).orElseThrow();
        assertThat(p.copies()).containsKeys(Placement.PRIMARY, "drive");
        assertThat(p.copies().get("drive").encryption()).isEqualTo("pgbackrest-aes-256-cbc");
        assertThat(mirror.verify().ok()).isTrue();
        assertThat(mirror.mirror().filesSent()).as("a second run sends nothing").isZero();

        Path repo1 = base.resolve("repo1");
        Path away = base.resolve("repo1.away");
        Files.move(repo1, away);
        try {
            Path local = base.resolve("from-drive");
            MaterializedRepo repo = mirror.materialize(local, List.of());
            assertThat(repo.sets()).containsExactly(full.id());
            Path data = base.resolve("restored");
            PgBackRest tool = PgBackRest.of(config(local, data, "conf-restore", false));
            tool.writeConfig();
            repo.forgetAbsentSets(tool, 1);
            tool.restore(PhysicalRestoreRequest.builder().target(RestoreTarget.immediate())
                    .targetAction(TargetAction.PROMOTE).dataDirectory(data).build());
            try (PostgresCluster copy = pair().cluster().baseDirectory(base)
                    .existingDataDirectory(data).start().awaitRecoveryEnd(Duration.ofMinutes(2))) {
                assertThat(DemoDatabase.fingerprint(copy, "shop")).isEqualTo(source);
            }
        } finally {
            Files.move(away, repo1);
        }
    }

    @Test
    @DisplayName("the S3 repo can be the mirror's source too, read through S3Repository byte for byte")
    void mirrorsFromTheS3Repo() throws IOException {
        LocalRepository target = LocalRepository.at(base.resolve("s3-mirror"));
        PgBackRestMirror mirror = PgBackRestMirror.builder("main").source(pgbr, 2)
                .source(SourceRepo.of(S3Repository.of(s3Config), ""))
                .tier(Tier.builder("local", target).filter(TierFilter.fullsOnly()).build())
                .build();

        MirrorRun run = mirror.mirror();

        assertThat(run.succeeded()).as(run.describe()).isTrue();
        assertThat(mirror.holdings()).singleElement().satisfies(s -> assertThat(s.id()).isEqualTo(s3Full.id()));
        String manifest = "backup/main/" + s3Full.id().value() + "/backup.manifest";
        try (InputStream a = target.open("pgbackrest/repo/" + manifest);
                InputStream b = S3Repository.of(s3Config).open(manifest)) {
            assertThat(a.readAllBytes()).isEqualTo(b.readAllBytes());
        }
        assertThat(mirror.verify().ok()).isTrue();
    }

    private static Path serverDirectory() {
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "physical-mirror-");
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            if ("root".equals(System.getProperty("user.name"))) {
                Files.setOwner(dir, FileSystems.getDefault().getUserPrincipalLookupService()
                        .lookupPrincipalByName(PostgresCluster.SUPERUSER));
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
