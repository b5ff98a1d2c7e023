package io.pgvault.examples.tiers;

import io.pgvault.api.Secret;
import io.pgvault.storage.gdrive.DriveCredentials;
import io.pgvault.storage.gdrive.GoogleDriveRepositoryConfig;
import io.pgvault.testkit.gdrive.DriveFile;
import io.pgvault.testkit.gdrive.DriveV3Fake;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The testkit's Drive v3 fake for one test class, with an OAuth client, and repository settings pointing at it. */
final class DriveServer implements BeforeAllCallback, AfterAllCallback {
    private static final String CLIENT_ID = "pgvault-tiers.apps.googleusercontent.com";
    private static final String CLIENT_SECRET = "GOCSPX-tiers-" + UUID.randomUUID();
    private static final String REFRESH_TOKEN = "1//tiers-" + UUID.randomUUID();

    private DriveV3Fake fake;

    @Override
    public void beforeAll(ExtensionContext context) {
        fake = DriveV3Fake.start();
        fake.registerOAuthClient(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (fake != null) {
            fake.close();
        }
    }

    DriveV3Fake fake() {
        return fake;
    }

    /** @return settings for a new folder, 256 KiB chunks (so that objects span several) and quick backoff */
    GoogleDriveRepositoryConfig.Builder newFolder(String stem) {
        DriveCredentials credentials = ((DriveCredentials.OAuth) DriveCredentials.oauth(CLIENT_ID,
                Secret.of(CLIENT_SECRET), Secret.of(REFRESH_TOKEN))).withTokenUri(fake.tokenUri());
        return GoogleDriveRepositoryConfig.builder(credentials)
                .rootUrl(URI.create(fake.rootUrl()))
                .folder("backups/" + stem + "-" + UUID.randomUUID())
                .chunkSize(GoogleDriveRepositoryConfig.CHUNK_GRANULARITY)
                .backoff(Duration.ofMillis(2), Duration.ofMillis(50));
    }

    /** @return names that occur more than once among the live files of one folder (Drive allows it; we must not) */
    List<String> duplicateNames() {
        Map<String, Long> byParentAndName = fake.files().stream().filter(f -> !f.trashed() && !f.isFolder())
                .collect(Collectors.groupingBy(f -> f.parents() + "/" + f.name(), Collectors.counting()));
        return byParentAndName.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
    }

    /** @return the live files, by id */
    Map<String, DriveFile> liveFiles() {
        return fake.files().stream().filter(f -> !f.trashed() && !f.isFolder())
                .collect(Collectors.toMap(DriveFile::id, Function.identity()));
    }
}
