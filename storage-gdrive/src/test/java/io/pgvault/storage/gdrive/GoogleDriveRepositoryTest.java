package io.pgvault.storage.gdrive;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.RepositoryException;
import io.pgvault.api.Secret;
import io.pgvault.storage.gdrive.GoogleDriveRepositoryException.Reason;
import io.pgvault.testkit.GeneratedContent;
import io.pgvault.testkit.gdrive.DriveFile;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("GoogleDriveRepository")
class GoogleDriveRepositoryTest {
    @RegisterExtension
    static final DriveFixture DRIVE = new DriveFixture();

    private static byte[] read(GoogleDriveRepository repository, String key) throws IOException {
        try (InputStream in = repository.open(key)) {
            return in.readAllBytes();
        }
    }

    @Nested
    @DisplayName("service accounts")
    class ServiceAccounts {
        @Test
        @DisplayName("a JSON key signs a JWT the token endpoint accepts; the repository works with it")
        void serviceAccountKey() throws Exception {
            KeyPair pair = rsa();
            String email = "backup@pgvault-test.iam.gserviceaccount.com";
            DRIVE.fake().registerServiceAccount(email, pair.getPublic());
            Secret key = Secret.of(jsonKey(email, pair));
            try (GoogleDriveRepository repository = GoogleDriveRepository.of(DRIVE.config("sa")
                    .credentials(DriveCredentials.serviceAccount(key)).build())) {
                repository.put("x", out -> out.write(new byte[] {1, 2, 3}));
                assertThat(read(repository, "x")).containsExactly(1, 2, 3);
                assertThat(repository.toString()).doesNotContain("PRIVATE KEY");
            }
        }

        @Test
        @DisplayName("credentials of another Cloud project do not see pgvault's marks: opening a repository that "
                + "project wrote is OTHER_PROJECT, before anything is written; the writer's own project still opens it")
        void otherProjectRefused() throws Exception {
            String folder = DriveFixture.uniqueFolder("projects");
            try (GoogleDriveRepository repository = GoogleDriveRepository.of(DRIVE.config(folder).build())) {
                repository.put("data/set-1/dump.age", out -> out.write(new byte[] {1, 2, 3}));
            }
            KeyPair pair = rsa();
            String email = "backup@another-project.iam.gserviceaccount.com";
            DRIVE.fake().registerServiceAccount(email, pair.getPublic(), "another-project");
            Secret key = Secret.of(jsonKey(email, pair));
            int files = DRIVE.fake().files().size();
            assertThatThrownBy(() -> GoogleDriveRepository.of(DRIVE.config(folder)
                    .credentials(DriveCredentials.serviceAccount(key)).build()))
                    .isInstanceOfSatisfying(GoogleDriveRepositoryException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.OTHER_PROJECT);
                        assertThat(e.code()).isEqualTo(io.pgvault.api.ErrorCode.CONFIGURATION);
                        assertThat(e.getMessage()).contains("'data/set-1'", "credentials of another project");
                    });
            assertThat(DRIVE.fake().files()).hasSize(files);

            // a repository with no subfolder yet gives another project nothing to see; once it has written there
            // (a subfolder these credentials do not see marked) beside this project's, the message says two projects
            String mixedId;
            try (GoogleDriveRepository repository = GoogleDriveRepository.of(DRIVE.config(folder + "-mixed")
                    .build())) {
                repository.put("records/set-8/x", out -> out.write(3));
                mixedId = repository.folderId();
            }
            try (GoogleDriveRepository repository = GoogleDriveRepository.of(DRIVE.config(folder + "-top").build())) {
                repository.put("top-level-key", out -> out.write(1));
            }
            try (GoogleDriveRepository theirs = GoogleDriveRepository.of(DRIVE.config(folder + "-top")
                    .credentials(DriveCredentials.serviceAccount(key)).build())) {
                assertThat(read(theirs, "top-level-key")).containsExactly(1); // nothing with a '/': nothing to see
            }
            DRIVE.fake().createFolder(mixedId, "records/set-9");
            assertThatThrownBy(() -> GoogleDriveRepository.of(DRIVE.config(folder + "-mixed").build()))
                    .isInstanceOfSatisfying(GoogleDriveRepositoryException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.OTHER_PROJECT);
                        assertThat(e.getMessage()).contains("'records/set-9'", "two Google Cloud projects");
                    });

            // a service account of the writer's own project opens it and reads the key
            KeyPair own = rsa();
            String ownEmail = "reader@pgvault-test.iam.gserviceaccount.com";
            DRIVE.fake().registerServiceAccount(ownEmail, own.getPublic());
            try (GoogleDriveRepository repository = GoogleDriveRepository.of(DRIVE.config(folder)
                    .credentials(DriveCredentials.serviceAccount(Secret.of(jsonKey(ownEmail, own)))).build())) {
                assertThat(read(repository, "data/set-1/dump.age")).containsExactly(1, 2, 3);
            }
            // and a fresh folder is the other project's to use: nothing there is marked by anyone
            try (GoogleDriveRepository repository = GoogleDriveRepository.of(DRIVE.config(folder + "-theirs")
                    .credentials(DriveCredentials.serviceAccount(key)).build())) {
                repository.put("data/set-2/dump.age", out -> out.write(new byte[] {4}));
                assertThat(read(repository, "data/set-2/dump.age")).containsExactly(4);
            }
        }

        @Test
        @DisplayName("a human's folder in the repository folder (a space or a control character in its name, or no "
                + "'/') is no evidence of another project; one named like a key's parent is, and must move out")
        void humanFolders() throws Exception {
            String folder = DriveFixture.uniqueFolder("humans");
            String repositoryId;
            try (GoogleDriveRepository repository = GoogleDriveRepository.of(DRIVE.config(folder).build())) {
                repository.put("a/b", out -> out.write(1));
                repositoryId = repository.folderId();
            }
            var drive = DRIVE.fake();
            drive.createFolder(repositoryId, "A/B tests");
            drive.createFolder(repositoryId, "Scans 2024");
            try (GoogleDriveRepository repository = GoogleDriveRepository.of(DRIVE.config(folder).build())) {
                assertThat(read(repository, "a/b")).containsExactly(1);
            }
            drive.createFolder(repositoryId, "reports/2024\nforged"); // no key's name: ignored, never quoted
            try (GoogleDriveRepository repository = GoogleDriveRepository.of(DRIVE.config(folder).build())) {
                assertThat(read(repository, "a/b")).containsExactly(1);
            }
            drive.createFolder(repositoryId, "reports/2024");
            assertThatThrownBy(() -> GoogleDriveRepository.of(DRIVE.config(folder).build()))
                    .isInstanceOfSatisfying(GoogleDriveRepositoryException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.OTHER_PROJECT);
                        assertThat(e.getMessage()).contains("'reports/2024'", "must move out of the repository folder")
                                .doesNotContain("forged");
                    });
        }

        @Test
        @DisplayName("a key the token endpoint does not know: CREDENTIALS_REJECTED; a malformed key says so without quoting it")
        void unknownAndMalformedKeys() throws Exception {
            Secret unknown = Secret.of(jsonKey("stranger@pgvault-test.iam.gserviceaccount.com", rsa()));
            assertThatThrownBy(() -> GoogleDriveRepository.of(DRIVE.config("sa")
                    .credentials(DriveCredentials.serviceAccount(unknown)).build()))
                    .isInstanceOfSatisfying(GoogleDriveRepositoryException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.CREDENTIALS_REJECTED));
            Secret malformed = Secret.of("{\"type\":\"service_account\",\"private_key\":\"s3cr3t-material\"}");
            assertThatThrownBy(() -> GoogleDriveRepository.of(DRIVE.config("sa")
                    .credentials(DriveCredentials.serviceAccount(malformed)).build()))
                    .isInstanceOfSatisfying(GoogleDriveRepositoryException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.CREDENTIALS_REJECTED);
                        assertThat(e.getMessage()).contains("service-account key").doesNotContain("s3cr3t");
                    });
        }

        private KeyPair rsa() throws NoSuchAlgorithmException {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        }

        private String jsonKey(String email, KeyPair pair) {
            String pem = "-----BEGIN PRIVATE KEY-----\\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(pair.getPrivate().getEncoded())
                            .replace("\n", "\\n")
                    + "\\n-----END PRIVATE KEY-----\\n";
            return "{\"type\":\"service_account\",\"project_id\":\"pgvault-test\",\"private_key_id\":\"k1\","
                    + "\"private_key\":\"" + pem + "\",\"client_email\":\"" + email + "\",\"client_id\":\"1\","
                    + "\"token_uri\":\"" + DRIVE.fake().tokenUri() + "\"}";
        }
    }

    @Nested
    @DisplayName("where objects live")
    class Layout {
        @Test
        @DisplayName("a shared drive: folders and files are created in it, listed through corpora=drive")
        void sharedDrive() throws IOException {
            String drive = DRIVE.fake().createSharedDrive("Backups");
            try (GoogleDriveRepository repository = GoogleDriveRepository.of(DRIVE.config("pg/prod")
                    .sharedDrive(drive).build())) {
                repository.put("a/1", out -> out.write(1));
                repository.put("b", out -> out.write(2));
                assertThat(repository.list("")).extracting(o -> o.key()).containsExactly("a/1", "b");
                assertThat(read(repository, "a/1")).containsExactly(1);
                assertThat(DRIVE.fake().children(repository.folderId()))
                        .allSatisfy(f -> assertThat(f.driveId()).contains(drive));
                assertThat(repository.id()).isEqualTo("gdrive:shared-drive=" + drive + "/pg/prod at "
                        + DRIVE.fake().rootUrl());
            }
        }

        @Test
        @DisplayName("folders of the path are created once and reused by the next repository")
        void foldersReused() {
            String folder = DriveFixture.uniqueFolder("layout");
            try (GoogleDriveRepository first = GoogleDriveRepository.of(DRIVE.config(folder).build());
                 GoogleDriveRepository second = GoogleDriveRepository.of(DRIVE.config(folder).build())) {
                assertThat(second.folderId()).isEqualTo(first.folderId());
            }
            String leaf = folder.substring(folder.indexOf('/') + 1);
            assertThat(DRIVE.fake().files()).filteredOn(f -> f.isFolder() && f.name().equals(leaf)).hasSize(1);
        }
    }

    @Nested
    @DisplayName("deleting")
    class Deleting {
        @Test
        @DisplayName("TRASH mode moves deleted and replaced objects to the trash, out of every listing")
        void trash() throws IOException {
            try (GoogleDriveRepository repository = GoogleDriveRepository.of(DRIVE.config(
                    DriveFixture.uniqueFolder("trash")).deleteMode(DeleteMode.TRASH).build())) {
                repository.put("k", out -> out.write(1));
                repository.put("k", out -> out.write(2));
                repository.put("gone", out -> out.write(3));
                repository.delete("gone");
                assertThat(repository.list("")).extracting(o -> o.key()).containsExactly("k");
                assertThat(read(repository, "k")).containsExactly(2);
                List<DriveFile> files = DRIVE.fake().children(repository.folderId());
                assertThat(files).filteredOn(DriveFile::trashed).extracting(DriveFile::name)
                        .containsExactlyInAnyOrder("k", "gone");
                assertThat(files).filteredOn(f -> !f.trashed()).extracting(DriveFile::name).containsExactly("k");
            }
        }

        @Test
        @DisplayName("a producer failing after several chunks cancels the session and leaves no file")
        void producerFailureCancelsSession() {
            try (GoogleDriveRepository repository = GoogleDriveRepository.of(DRIVE.config(
                    DriveFixture.uniqueFolder("cancel")).chunkSize(256 * 1024).build())) {
                assertThatThrownBy(() -> repository.put("k", out -> {
                    new GeneratedContent(1_000_000, 1).writeTo(out);
                    throw new IOException("pg_dump died");
                })).isInstanceOf(RepositoryException.class).hasMessageContaining("nothing was stored");
                assertThat(DRIVE.fake().children(repository.folderId())).isEmpty();
                assertThat(DRIVE.fake().openUploadSessions()).isZero();
            }
        }
    }

    @Nested
    @DisplayName("configuration")
    class Configuration {
        @Test
        @DisplayName("every invalid setting is reported at once")
        void allProblems() {
            assertThatThrownBy(() -> GoogleDriveRepositoryConfig.builder(DRIVE.credentials())
                    .chunkSize(1000).maxAttempts(0).folder("../x").backoff(Duration.ZERO, Duration.ofSeconds(1))
                    .rootFolderId("bad id!").build())
                    .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).hasSize(5));
        }

        @Test
        @DisplayName("toString of config and credentials shows no secret")
        void noSecrets() {
            GoogleDriveRepositoryConfig config = DRIVE.config("x").build();
            assertThat(config.toString()).doesNotContain(DriveFixture.CLIENT_SECRET, DriveFixture.REFRESH_TOKEN)
                    .contains(DriveFixture.CLIENT_ID);
        }
    }
}
