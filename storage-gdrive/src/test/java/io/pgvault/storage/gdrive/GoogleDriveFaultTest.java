package io.pgvault.storage.gdrive;

import io.pgvault.api.IntegrityException;
import io.pgvault.api.Secret;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.storage.gdrive.GoogleDriveRepositoryException.Reason;
import io.pgvault.testkit.GeneratedContent;
import io.pgvault.testkit.StreamDigest;
import io.pgvault.testkit.gdrive.DriveEndpoint;
import io.pgvault.testkit.gdrive.DriveFault;
import io.pgvault.testkit.gdrive.DriveFile;
import io.pgvault.testkit.gdrive.DriveRole;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("GoogleDriveRepository under Drive faults")
class GoogleDriveFaultTest {
    @RegisterExtension
    static final DriveFixture DRIVE = new DriveFixture();

    private static final int CHUNK = 256 * 1024;

    @AfterEach
    void resetFaults() {
        DRIVE.fake().clearFaults();
        DRIVE.fake().storageQuota(Long.MAX_VALUE);
        DRIVE.fake().dailyUploadLimit(Long.MAX_VALUE);
    }

    private static GoogleDriveRepository repository() {
        return GoogleDriveRepository.of(DRIVE.config(DriveFixture.uniqueFolder("faults")).chunkSize(CHUNK).build());
    }

    private static byte[] content(int size, long seed) {
        return new GeneratedContent(size, seed).bytes();
    }

    private static byte[] read(GoogleDriveRepository repository, String key) throws IOException {
        try (InputStream in = repository.open(key)) {
            return in.readAllBytes();
        }
    }

    private static String md5(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every file (not folder) in the repository folder and its subfolders, trashed ones included. */
    private static List<DriveFile> filesIn(GoogleDriveRepository repository) {
        return DRIVE.fake().descendants(repository.folderId()).stream().filter(f -> !f.isFolder()).toList();
    }

    @Nested
    @DisplayName("passing trouble is retried")
    class Retried {
        @Test
        @DisplayName("rate limits and 5xx on every kind of request: the put completes once, intact")
        void rateLimitsAndServerErrors() throws IOException {
            try (GoogleDriveRepository repository = repository()) {
                byte[] bytes = content(3 * CHUNK + 1234, 1);
                DRIVE.fake().failNext(DriveEndpoint.UPLOAD_START, 1, DriveFault.tooManyRequests());
                DRIVE.fake().failNext(DriveEndpoint.UPLOAD_CHUNK, 2, DriveFault.userRateLimitExceeded());
                DRIVE.fake().failNext(DriveEndpoint.UPLOAD_CHUNK, 1, DriveFault.serverError(503));
                DRIVE.fake().failNext(DriveEndpoint.UPDATE, 1, DriveFault.rateLimitExceeded());
                DRIVE.fake().failNext(DriveEndpoint.LIST, 1, DriveFault.serverError(500));
                int chunksBefore = DRIVE.fake().requests(DriveEndpoint.UPLOAD_CHUNK);

                ObjectInfo stored = repository.put("db/full.dump", out -> out.write(bytes));

                assertThat(stored.sha256()).contains(StreamDigest.of(bytes).sha256());
                assertThat(read(repository, "db/full.dump")).isEqualTo(bytes);
                assertThat(filesIn(repository)).singleElement()
                        .satisfies(f -> assertThat(f.name()).isEqualTo("full.dump"));
                // 4 chunks, 3 failed attempts, and the status queries after them
                assertThat(DRIVE.fake().requests(DriveEndpoint.UPLOAD_CHUNK) - chunksBefore).isGreaterThanOrEqualTo(7);
                assertThat(DRIVE.fake().openUploadSessions()).isZero();
            }
        }

        @Test
        @DisplayName("connections cut mid-chunk: the upload resumes from Drive's Range, the object is intact")
        void connectionCutMidChunk() throws IOException {
            try (GoogleDriveRepository repository = GoogleDriveRepository.of(DRIVE.config(
                    DriveFixture.uniqueFolder("faults")).chunkSize(4 * CHUNK).build())) {
                byte[] bytes = content(10 * CHUNK + 77, 2);
                // the first chunk is cut after 2.3 chunks of 256 KiB: Drive keeps 512 KiB, the rest is sent again
                DRIVE.fake().cutNextChunk(2, 2 * CHUNK + 80_000);

                repository.put("wal/000000010000000000000001", out -> out.write(bytes));

                assertThat(read(repository, "wal/000000010000000000000001")).isEqualTo(bytes);
                assertThat(filesIn(repository)).hasSize(1);
                assertThat(filesIn(repository).get(0).md5Checksum())
                        .contains(md5(bytes));
            }
        }

        @Test
        @DisplayName("an overwrite under faults leaves one file for the key, with the new content")
        void overwriteUnderFaults() throws IOException {
            try (GoogleDriveRepository repository = repository()) {
                repository.put("k", out -> out.write(content(1000, 3)));
                DRIVE.fake().failNext(DriveEndpoint.DELETE, 2, DriveFault.serverError(502));
                DRIVE.fake().cutNextChunk(1, 1000);
                byte[] next = content(2 * CHUNK + 5, 4);
                repository.put("k", out -> out.write(next));
                assertThat(read(repository, "k")).isEqualTo(next);
                assertThat(filesIn(repository)).extracting(DriveFile::name).containsExactly("k");
            }
        }
    }

    @Nested
    @DisplayName("exhausted quotas fail clearly and leave nothing")
    class Quotas {
        @Test
        @DisplayName("storageQuotaExceeded: not retryable, nothing visible, the session cancelled")
        void storageQuota() {
            try (GoogleDriveRepository repository = repository()) {
                long used = DRIVE.fake().files().stream().mapToLong(DriveFile::size).sum();
                DRIVE.fake().storageQuota(used + CHUNK);
                assertThatThrownBy(() -> repository.put("big", out -> out.write(content(3 * CHUNK, 5))))
                        .isInstanceOfSatisfying(GoogleDriveRepositoryException.class, e -> {
                            assertThat(e.reason()).isEqualTo(Reason.STORAGE_QUOTA_EXCEEDED);
                            assertThat(e.retryable()).isFalse();
                            assertThat(e.getMessage()).contains("'big'", "storage quota");
                        });
                assertThat(repository.list("")).isEmpty();
                assertThat(filesIn(repository)).isEmpty();
                assertThat(DRIVE.fake().openUploadSessions()).isZero();
            }
        }

        @Test
        @DisplayName("a full folder (numChildrenInNonRootLimitExceeded) or shared drive (teamDriveFileLimitExceeded) "
                + "is ITEM_LIMIT_EXCEEDED, not retried, not 'access denied', and says what to do")
        void itemLimits() {
            for (String reason : List.of("numChildrenInNonRootLimitExceeded", "teamDriveFileLimitExceeded")) {
                try (GoogleDriveRepository repository = repository()) {
                    DRIVE.fake().failNext(DriveEndpoint.UPLOAD_START, 1, new DriveFault(403, "global", reason,
                            "The limit for this folder's number of children (files and folders) has been exceeded."));
                    assertThatThrownBy(() -> repository.put("full-" + reason, out -> out.write(content(100, 7))))
                            .isInstanceOfSatisfying(GoogleDriveRepositoryException.class, e -> {
                                assertThat(e.reason()).isEqualTo(Reason.ITEM_LIMIT_EXCEEDED);
                                assertThat(e.retryable()).isFalse();
                                assertThat(e.getMessage()).contains("500,000", "prune")
                                        .doesNotContain("access denied");
                            });
                    // not retried: had it been, the next attempt would have succeeded and stored the object
                    assertThat(repository.stat("full-" + reason)).isEmpty();
                }
            }
        }

        @Test
        @DisplayName("storageQuotaExceeded names the service-account case and its remedies")
        void serviceAccountQuota() {
            try (GoogleDriveRepository repository = repository()) {
                DRIVE.fake().failNext(DriveEndpoint.UPLOAD_START, 1, DriveFault.storageQuotaExceeded());
                assertThatThrownBy(() -> repository.put("sa", out -> out.write(content(100, 8))))
                        .isInstanceOfSatisfying(GoogleDriveRepositoryException.class, e -> {
                            assertThat(e.reason()).isEqualTo(Reason.STORAGE_QUOTA_EXCEEDED);
                            assertThat(e.getMessage()).contains("service account", "shared drive",
                                    "domain-wide delegation");
                        });
                assertThat(repository.stat("sa")).isEmpty();
            }
        }

        @Test
        @DisplayName("the daily upload limit (403 userRateLimitExceeded, as Drive says it) outlasting the usual backoff: "
                + "UPLOAD_LIMIT_EXCEEDED, not retryable, naming 750 GB and the remedies; the next put probes once")
        void dailyUploadLimit() throws IOException {
            // each reading of the budget's clock 20 s after the last: the refusals outlast RATE_LIMIT_PATIENCE at once
            try (GoogleDriveRepository repository = GoogleDriveRepository.of(DRIVE.config(
                    DriveFixture.uniqueFolder("faults")).chunkSize(CHUNK).maxAttempts(4).build(),
                    new SteppingClock(Duration.ofSeconds(20)))) {
                DRIVE.fake().dailyUploadLimit(CHUNK);
                int chunks = DRIVE.fake().requests(DriveEndpoint.UPLOAD_CHUNK);
                assertThatThrownBy(() -> repository.put("day", out -> out.write(content(3 * CHUNK, 6))))
                        .isInstanceOfSatisfying(GoogleDriveRepositoryException.class, e -> {
                            assertThat(e.reason()).isEqualTo(Reason.UPLOAD_LIMIT_EXCEEDED);
                            assertThat(e.retryable()).isFalse();
                            assertThat(e.getMessage()).contains("'day'", "750 GB", "resets", "another account");
                        });
                // the first chunk went up; the second was refused on each of its 4 attempts (each with a status query)
                assertThat(DRIVE.fake().requests(DriveEndpoint.UPLOAD_CHUNK) - chunks).isLessThanOrEqualTo(1 + 2 * 4);
                assertThat(filesIn(repository)).isEmpty();
                assertThat(DRIVE.fake().openUploadSessions()).isZero();

                int before = DRIVE.fake().requests(DriveEndpoint.UPLOAD_CHUNK);
                assertThatThrownBy(() -> repository.put("next", out -> out.write(content(100, 7))))
                        .isInstanceOfSatisfying(GoogleDriveRepositoryException.class,
                                e -> assertThat(e.reason()).isEqualTo(Reason.UPLOAD_LIMIT_EXCEEDED));
                assertThat(DRIVE.fake().requests(DriveEndpoint.UPLOAD_CHUNK) - before)
                        .as("while the limit holds, a put probes once instead of backing off again").isEqualTo(1);

                DRIVE.fake().dailyUploadLimit(Long.MAX_VALUE);
                byte[] after = content(100, 8);
                repository.put("after", out -> out.write(after));
                assertThat(read(repository, "after")).isEqualTo(after);
            }
        }

        @Test
        @DisplayName("a burst of rate limits on a chunk, all attempts spent within milliseconds: not the daily upload "
                + "limit; the chunk is retried until it goes through, and later puts get the full backoff")
        void shortRateLimitBurst() throws IOException {
            try (GoogleDriveRepository repository = GoogleDriveRepository.of(DRIVE.config(
                    DriveFixture.uniqueFolder("faults")).chunkSize(CHUNK).maxAttempts(3)
                    .backoff(Duration.ofMillis(1), Duration.ofMillis(5)).build())) {
                DRIVE.fake().failNext(DriveEndpoint.UPLOAD_CHUNK, 10, DriveFault.uploadLimitExceeded());
                byte[] first = content(2 * CHUNK + 7, 11);
                repository.put("burst", out -> out.write(first));
                assertThat(read(repository, "burst")).isEqualTo(first);

                DRIVE.fake().failNext(DriveEndpoint.UPLOAD_CHUNK, 2, DriveFault.userRateLimitExceeded());
                byte[] second = content(100, 12);
                repository.put("after-burst", out -> out.write(second));
                assertThat(read(repository, "after-burst")).isEqualTo(second);
            }
        }

        @Test
        @DisplayName("near the daily budget this repository uploaded in 24 hours, the first rate-limit answer to an "
                + "upload is taken as the upload limit, without backing off")
        void nearTheDailyBudget() {
            try (GoogleDriveRepository repository = GoogleDriveRepository.of(DRIVE.config(
                    DriveFixture.uniqueFolder("faults")).chunkSize(CHUNK).uploadLimitPerDay(8L * CHUNK).build())) {
                repository.put("a", out -> out.write(content(8 * CHUNK, 9)));
                DRIVE.fake().failNext(DriveEndpoint.UPLOAD_CHUNK, 1, DriveFault.uploadLimitExceeded());
                int before = DRIVE.fake().requests(DriveEndpoint.UPLOAD_CHUNK);
                assertThatThrownBy(() -> repository.put("b", out -> out.write(content(100, 10))))
                        .isInstanceOfSatisfying(GoogleDriveRepositoryException.class, e -> {
                            assertThat(e.reason()).isEqualTo(Reason.UPLOAD_LIMIT_EXCEEDED);
                            assertThat(e.getMessage()).contains("in the last 24 hours");
                        });
                assertThat(DRIVE.fake().requests(DriveEndpoint.UPLOAD_CHUNK) - before).isEqualTo(1);
            }
        }

        @Test
        @DisplayName("rate limits that outlast every attempt: RATE_LIMITED, retryable later")
        void endlessRateLimits() {
            try (GoogleDriveRepository repository = GoogleDriveRepository.of(DRIVE.config(
                    DriveFixture.uniqueFolder("faults")).maxAttempts(3).build())) {
                DRIVE.fake().failNext(DriveEndpoint.LIST, 3, DriveFault.userRateLimitExceeded());
                assertThatThrownBy(() -> repository.list(""))
                        .isInstanceOfSatisfying(GoogleDriveRepositoryException.class, e -> {
                            assertThat(e.reason()).isEqualTo(Reason.RATE_LIMITED);
                            assertThat(e.retryable()).isTrue();
                            assertThat(e.getMessage()).contains("after 3 attempts");
                        });
            }
        }
    }

    @Nested
    @DisplayName("roles on a shared drive")
    class SharedDriveRoles {
        private GoogleDriveRepository sharedDriveRepository(DriveRole role) {
            String drive = DRIVE.fake().createSharedDrive("roles");
            DRIVE.fake().grantRole(drive, DriveFixture.CLIENT_ID, role);
            return GoogleDriveRepository.of(DRIVE.config("pgvault").sharedDrive(drive).chunkSize(CHUNK).build());
        }

        private List<DriveFile> named(GoogleDriveRepository repository, String name) {
            return filesIn(repository).stream().filter(f -> f.name().equals(name)).toList();
        }

        @Test
        @DisplayName("a content manager (no permanent delete): replacing and deleting move files to the trash; a "
                + "replace never throws after it committed, and the refusal is remembered")
        void contentManager() throws IOException {
            try (GoogleDriveRepository repository = sharedDriveRepository(DriveRole.FILE_ORGANIZER)) {
                repository.put("k", out -> out.write(content(100, 11)));
                byte[] second = content(200, 12);
                repository.put("k", out -> out.write(second));
                assertThat(read(repository, "k")).isEqualTo(second);
                assertThat(named(repository, "k")).filteredOn(f -> !f.trashed()).hasSize(1);
                assertThat(named(repository, "k")).filteredOn(DriveFile::trashed).hasSize(1);

                int deletes = DRIVE.fake().requests(DriveEndpoint.DELETE);
                repository.put("k", out -> out.write(content(300, 13)));
                repository.delete("k");
                assertThat(DRIVE.fake().requests(DriveEndpoint.DELETE) - deletes)
                        .as("after the first refusal, removals go to the trash at once").isZero();
                assertThat(repository.stat("k")).isEmpty();
                assertThat(repository.list("")).isEmpty();
                assertThat(named(repository, "k")).hasSize(3).allSatisfy(f -> assertThat(f.trashed()).isTrue());
            }
        }

        @Test
        @DisplayName("a contributor (neither delete nor trash): a replace commits and returns, the superseded file "
                + "stays hidden; a delete is ACCESS_DENIED naming the roles it needs")
        void contributor() throws IOException {
            try (GoogleDriveRepository repository = sharedDriveRepository(DriveRole.WRITER)) {
                repository.put("k", out -> out.write(content(100, 14)));
                byte[] second = content(200, 15);
                repository.put("k", out -> out.write(second));
                assertThat(read(repository, "k")).isEqualTo(second);
                assertThat(repository.list("")).extracting(ObjectInfo::key).containsExactly("k");
                assertThatThrownBy(() -> repository.delete("k"))
                        .isInstanceOfSatisfying(GoogleDriveRepositoryException.class, e -> {
                            assertThat(e.reason()).isEqualTo(Reason.ACCESS_DENIED);
                            assertThat(e.getMessage()).contains("Content manager", "Manager");
                        });
            }
        }
    }

    @Nested
    @DisplayName("corruption is detected")
    class Corruption {
        @Test
        @DisplayName("an upload Drive stored differently (md5Checksum mismatch) is deleted; the previous object stays")
        void md5MismatchOnUpload() throws IOException {
            try (GoogleDriveRepository repository = repository()) {
                byte[] previous = content(500, 7);
                repository.put("obj", out -> out.write(previous));
                DRIVE.fake().corruptNextUpload();
                assertThatThrownBy(() -> repository.put("obj", out -> out.write(content(CHUNK + 9, 8))))
                        .isInstanceOf(IntegrityException.class).hasMessageContaining("MD5");
                assertThat(read(repository, "obj")).isEqualTo(previous);
                assertThat(filesIn(repository)).extracting(DriveFile::name).containsExactly("obj");
            }
        }

        @Test
        @DisplayName("bit rot in a stored object fails the read at its end with IntegrityException")
        void corruptDownload() throws IOException {
            try (GoogleDriveRepository repository = repository()) {
                repository.put("rot", out -> out.write(content(100_000, 9)));
                DRIVE.fake().corruptContent(filesIn(repository).get(0).id());
                try (InputStream in = repository.open("rot")) {
                    assertThatThrownBy(in::readAllBytes).isInstanceOf(IntegrityException.class)
                            .hasMessageContaining("'rot'").hasMessageContaining("corrupt");
                }
            }
        }
    }

    @Nested
    @DisplayName("bad settings fail clearly")
    class BadSettings {
        @Test
        @DisplayName("an unknown refresh token: CREDENTIALS_REJECTED at open, no secret in the message")
        void invalidRefreshToken() {
            DriveCredentials wrong = ((DriveCredentials.OAuth) DriveCredentials.oauth(DriveFixture.CLIENT_ID,
                    Secret.of(DriveFixture.CLIENT_SECRET), Secret.of("1//not-a-valid-token")))
                    .withTokenUri(DRIVE.fake().tokenUri());
            assertThatThrownBy(() -> GoogleDriveRepository.of(DRIVE.config("x").credentials(wrong).build()))
                    .isInstanceOfSatisfying(GoogleDriveRepositoryException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.CREDENTIALS_REJECTED);
                        assertThat(e.retryable()).isFalse();
                        assertThat(e.getMessage()).contains("credentials were rejected")
                                .doesNotContain(DriveFixture.CLIENT_SECRET, "not-a-valid-token");
                    });
        }

        @Test
        @DisplayName("credentials revoked while the repository is open: CREDENTIALS_REJECTED on the next request")
        void revokedCredentials() {
            try (GoogleDriveRepository repository = repository()) {
                repository.put("a", out -> out.write(1));
                DRIVE.fake().revokeCredentials();
                try {
                    assertThatThrownBy(() -> repository.stat("a"))
                            .isInstanceOfSatisfying(GoogleDriveRepositoryException.class,
                                    e -> assertThat(e.reason()).isEqualTo(Reason.CREDENTIALS_REJECTED));
                } finally {
                    DRIVE.fake().restoreCredentials();
                }
                assertThat(repository.stat("a")).isPresent();
            }
        }

        @Test
        @DisplayName("a root folder that does not exist: FOLDER_NOT_FOUND at open")
        void missingRootFolder() {
            assertThatThrownBy(() -> GoogleDriveRepository.of(DRIVE.config("x").rootFolderId("1NoSuchFolderId")
                    .build())).isInstanceOfSatisfying(GoogleDriveRepositoryException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.FOLDER_NOT_FOUND);
                        assertThat(e.getMessage()).contains("1NoSuchFolderId");
                    });
        }

        @Test
        @DisplayName("a missing folder with createFolders off: FOLDER_NOT_FOUND, nothing created")
        void missingFolderNotCreated() {
            int before = DRIVE.fake().files().size();
            assertThatThrownBy(() -> GoogleDriveRepository.of(DRIVE.config("no/such/folder").createFolders(false)
                    .build())).isInstanceOfSatisfying(GoogleDriveRepositoryException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.FOLDER_NOT_FOUND));
            assertThat(DRIVE.fake().files()).hasSize(before);
        }

        @Test
        @DisplayName("the folder deleted under an open repository: a put fails with FOLDER_NOT_FOUND")
        void folderDeletedAfterOpen() {
            try (GoogleDriveRepository repository = repository()) {
                DRIVE.fake().clear();
                assertThatThrownBy(() -> repository.put("k", out -> out.write(1)))
                        .isInstanceOfSatisfying(GoogleDriveRepositoryException.class,
                                e -> assertThat(e.reason()).isEqualTo(Reason.FOLDER_NOT_FOUND));
            }
        }
    }

    /** A clock each reading of which is {@code step} after the previous one. */
    private static final class SteppingClock extends Clock {
        private final Duration step;
        private Instant now = Instant.parse("2026-12-06T10:00:00Z");

        SteppingClock(Duration step) {
            this.step = step;
        }

        @Override
        public synchronized Instant instant() {
            now = now.plus(step);
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
