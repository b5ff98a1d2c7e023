package io.pgvault.storage.gdrive;

import io.pgvault.api.Secret;
import io.pgvault.testkit.gdrive.DriveV3Fake;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.time.Duration;
import java.util.UUID;

/** One Drive fake per test class, with an OAuth client registered, and configs pointing at it. */
final class DriveFixture implements BeforeAllCallback, AfterAllCallback {
    static final String CLIENT_ID = "pgvault-test.apps.googleusercontent.com";
    static final String CLIENT_SECRET = "GOCSPX-client-secret-" + UUID.randomUUID();
    static final String REFRESH_TOKEN = "1//refresh-token-" + UUID.randomUUID();

    private DriveV3Fake fake;

    @Override
    public void beforeAll(ExtensionContext context) {
        if (fake != null) {
            return; // a @Nested class of the one that started it
        }
        fake = DriveV3Fake.start();
        fake.registerOAuthClient(CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (fake != null && !context.getRequiredTestClass().isAnnotationPresent(Nested.class)) {
            fake.close();
        }
    }

    DriveV3Fake fake() {
        return fake;
    }

    DriveCredentials credentials() {
        return ((DriveCredentials.OAuth) DriveCredentials.oauth(CLIENT_ID, Secret.of(CLIENT_SECRET),
                Secret.of(REFRESH_TOKEN))).withTokenUri(fake.tokenUri());
    }

    /** A config for a fresh folder, with fast backoff so that retry tests stay quick. */
    GoogleDriveRepositoryConfig.Builder config(String folder) {
        return GoogleDriveRepositoryConfig.builder(credentials())
                .rootUrl(java.net.URI.create(fake.rootUrl()))
                .folder(folder)
                .backoff(Duration.ofMillis(2), Duration.ofMillis(50));
    }

    static String uniqueFolder(String prefix) {
        return prefix + "/" + UUID.randomUUID();
    }
}
