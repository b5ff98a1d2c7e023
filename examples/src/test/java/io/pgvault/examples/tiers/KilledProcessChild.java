package io.pgvault.examples.tiers;

import io.pgvault.api.Compression;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.Secret;
import io.pgvault.api.tier.SyncReport;
import io.pgvault.api.tier.Tier;
import io.pgvault.backend.pgdump.DumpFormat;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.storage.gdrive.DriveCredentials;
import io.pgvault.storage.gdrive.GoogleDriveRepository;
import io.pgvault.storage.gdrive.GoogleDriveRepositoryConfig;
import io.pgvault.storage.local.LocalRepository;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The process {@link KilledProcessIT} kills: opens the primary repository the test wrote and runs {@code sync()} to a
 * Google Drive tier on the test's Drive fake, as a deployment's scheduled sync would, until it is killed.
 *
 * <p>Arguments: primary directory, Drive root URL, token URI, folder path, OAuth client id, PostgreSQL host, port,
 * user and bin directory. The client secret and the refresh token come from the environment ({@value #SECRET_ENV},
 * {@value #REFRESH_ENV}), never from the command line. Retries are generous (100 attempts, up to 500 ms apart), so
 * that a fault the test injects to hold the process at one point keeps it there until the kill. Exits 0 when the sync
 * succeeded, 3 when it reported a failure, 2 on bad arguments.
 */
final class KilledProcessChild {
    static final String SECRET_ENV = "PGVAULT_TEST_DRIVE_CLIENT_SECRET";
    /** Short claims, so that the test need not wait long for a killed child's claim on the set to expire. */
    static final io.pgvault.api.Leases LEASES = new io.pgvault.api.Leases(Duration.ofMillis(100),
            Duration.ofMillis(500));
    static final String REFRESH_ENV = "PGVAULT_TEST_DRIVE_REFRESH_TOKEN";

    private KilledProcessChild() {
    }

    /** @param args see the class comment */
    public static void main(String[] args) {
        if (args.length != 9 || System.getenv(SECRET_ENV) == null || System.getenv(REFRESH_ENV) == null) {
            System.err.println("usage: KilledProcessChild PRIMARY ROOT_URL TOKEN_URI FOLDER CLIENT_ID PG_HOST PG_PORT "
                    + "PG_USER PG_BIN_DIR, with " + SECRET_ENV + " and " + REFRESH_ENV + " set");
            System.exit(2);
        }
        Path primary = Path.of(args[0]);
        GoogleDriveRepositoryConfig drive = driveConfig(URI.create(args[1]), URI.create(args[2]), args[3], args[4],
                Secret.of(System.getenv(SECRET_ENV)), Secret.of(System.getenv(REFRESH_ENV)))
                .maxAttempts(100).backoff(Duration.ofMillis(50), Duration.ofMillis(500)).build();
        PgConnection pg = PgConnection.builder().host(args[5]).port(Integer.parseInt(args[6])).user(args[7])
                .database("shop").binDir(Path.of(args[8])).build();
        try (GoogleDriveRepository tier = GoogleDriveRepository.of(drive)) {
            PgVault vault = vault(primary, pg).tier(Tier.builder("drive", tier).build()).build();
            System.out.println("child: syncing " + primary + " to " + tier.id());
            SyncReport report = vault.sync();
            System.out.println("child: " + report.render());
            System.exit(report.succeeded() ? 0 : 3);
        }
    }

    /** The settings parent and child share: 256 KiB chunks, so that one object spans many upload requests. */
    static GoogleDriveRepositoryConfig.Builder driveConfig(URI rootUrl, URI tokenUri, String folder, String clientId,
            Secret clientSecret, Secret refreshToken) {
        DriveCredentials credentials = ((DriveCredentials.OAuth) DriveCredentials.oauth(clientId, clientSecret,
                refreshToken)).withTokenUri(tokenUri);
        return GoogleDriveRepositoryConfig.builder(credentials).rootUrl(rootUrl).folder(folder)
                .chunkSize(GoogleDriveRepositoryConfig.CHUNK_GRANULARITY);
    }

    /** The primary as parent and child open it: pg_dump directory format, no compression, no encryption. */
    static PgVault.Builder vault(Path primary, PgConnection pg) {
        return PgVault.builder().acceptUnauthenticated(true)
                .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(pg).format(DumpFormat.DIRECTORY)
                        .build()))
                .repository(LocalRepository.at(primary)).leases(LEASES)
                .pipeline(PipelineOptions.defaults().withCompression(Compression.none()));
    }
}
