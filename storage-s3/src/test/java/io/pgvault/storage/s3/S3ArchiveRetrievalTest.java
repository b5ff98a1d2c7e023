package io.pgvault.storage.s3;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.NotFoundException;
import io.pgvault.storage.s3.ArchiveStub.RestoreCall;
import io.pgvault.storage.s3.S3RepositoryException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@DisplayName("S3Repository and archive storage classes")
class S3ArchiveRetrievalTest {
    private static final String STANDARD = "data/20260101T000000Z-aaaaaa/globals.sql.zst.age";
    private static final String INSTANT = "data/20260101T000000Z-aaaaaa/app.dump.zst.age";
    private static final String GLACIER = "data/20260101T000000Z-aaaaaa/app.dir/toc.dat.zst.age";
    private static final String DEEP = "data/20260101T000000Z-aaaaaa/app.dir/3001.dat.zst.age";
    private static final ArchiveRetrieval FAST = ArchiveRetrieval.defaults().withPollInterval(Duration.ofMillis(10))
            .withTimeout(Duration.ofSeconds(20));

    private final ArchiveStub stub = newStub();

    private static ArchiveStub newStub() {
        try {
            return new ArchiveStub();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stopStub() {
        stub.close();
    }

    private static byte[] bytes(String key, int size) {
        byte[] b = new byte[size];
        byte[] seed = key.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (seed[i % seed.length] * 31 + i);
        }
        return b;
    }

    private static byte[] read(S3Repository repository, String key) throws IOException {
        try (InputStream in = repository.open(key)) {
            return in.readAllBytes();
        }
    }

    /** One object in each kind of class: STANDARD and GLACIER_IR read directly, GLACIER and DEEP_ARCHIVE do not. */
    private void fourClasses() {
        stub.put(STANDARD, bytes(STANDARD, 1000), "STANDARD", 1)
                .put(INSTANT, bytes(INSTANT, 2000), "GLACIER_IR", 1)
                .put(GLACIER, bytes(GLACIER, 3000), "GLACIER", 3)
                .put(DEEP, bytes(DEEP, 4000), "DEEP_ARCHIVE", 5);
    }

    @Nested
    @DisplayName("prepareRead(keys, retrieval, progress)")
    class Retrieval {
        @Test
        @DisplayName("requests a retrieval for the GLACIER and DEEP_ARCHIVE objects only, waits until both are "
                + "restored, and every object then reads byte for byte")
        void onlyArchivedObjects() throws IOException {
            fourClasses();
            try (S3Repository repository = S3Repository.of(stub.config().build())) {
                assertThatExceptionOfType(S3RepositoryException.class).isThrownBy(() -> read(repository, GLACIER))
                        .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.ARCHIVED));

                ArchiveRetrievalResult result = repository.prepareRead(List.of(STANDARD, INSTANT, GLACIER, DEEP),
                        FAST, progress -> { });

                assertThat(stub.restores()).extracting(RestoreCall::key).containsExactly(GLACIER, DEEP);
                assertThat(stub.restores()).extracting(RestoreCall::status).containsOnly(202);
                assertThat(result.objects()).isEqualTo(4);
                assertThat(result.archived()).containsExactly(GLACIER, DEEP);
                assertThat(result.archivedBytes()).isEqualTo(7000);
                assertThat(result.requestsSent()).isEqualTo(2);
                assertThat(result.earliestExpiry()).hasValueSatisfying(
                        expiry -> assertThat(expiry).isAfter(Instant.now().plus(Duration.ofDays(2))));
                for (String key : List.of(STANDARD, INSTANT, GLACIER, DEEP)) {
                    int size = switch (key) {
                        case STANDARD -> 1000;
                        case INSTANT -> 2000;
                        case GLACIER -> 3000;
                        default -> 4000;
                    };
                    assertThat(read(repository, key)).as(key).isEqualTo(bytes(key, size));
                }
            }
        }

        @Test
        @DisplayName("sends the configured tier and days (Standard and 3 by default)")
        void tierAndDays() {
            fourClasses();
            try (S3Repository repository = S3Repository.of(stub.config().build())) {
                repository.prepareRead(List.of(GLACIER), FAST, progress -> { });
                repository.prepareRead(List.of(DEEP), FAST.withTier(ArchiveRetrieval.Tier.BULK).withDays(7),
                        progress -> { });
            }
            assertThat(stub.restores()).containsExactly(new RestoreCall(GLACIER, 202, "Standard", 3),
                    new RestoreCall(DEEP, 202, "Bulk", 7));
        }

        @Test
        @DisplayName("reports progress after the requests and after every poll: archived objects and bytes ready "
                + "of the total, ending with all of them")
        void progress() {
            fourClasses();
            List<ArchiveProgress> seen = new ArrayList<>();
            try (S3Repository repository = S3Repository.of(stub.config().build())) {
                repository.prepareRead(List.of(STANDARD, INSTANT, GLACIER, DEEP), FAST, seen::add);
            }
            assertThat(seen).hasSizeGreaterThanOrEqualTo(5); // the requests, then the DEEP_ARCHIVE object's 5 polls
            assertThat(seen.get(0)).satisfies(p -> {
                assertThat(p.ready()).isZero();
                assertThat(p.total()).isEqualTo(2);
                assertThat(p.totalBytes()).isEqualTo(7000);
            });
            assertThat(seen).extracting(ArchiveProgress::readyBytes).containsSubsequence(0L, 3000L, 7000L)
                    .isSorted();
            ArchiveProgress last = seen.get(seen.size() - 1);
            assertThat(last.ready()).isEqualTo(2);
            assertThat(last.pending()).isZero();
            assertThat(last.readyBytes()).isEqualTo(7000);
        }

        @Test
        @DisplayName("an object another client started restoring (409 RestoreAlreadyInProgress) or already restored "
                + "(200) in between is no error: it is waited for or read, without a retrieval of ours")
        void racingClients() throws IOException {
            fourClasses();
            stub.afterNextHead(GLACIER, () -> stub.startRestore(GLACIER));
            stub.afterNextHead(DEEP, () -> stub.finishRestore(DEEP));
            try (S3Repository repository = S3Repository.of(stub.config().build())) {
                ArchiveRetrievalResult result = repository.prepareRead(List.of(GLACIER, DEEP), FAST, p -> { });
                assertThat(stub.restores()).extracting(RestoreCall::status).containsExactly(409, 200);
                assertThat(result.requestsSent()).isZero();
                assertThat(result.archived()).containsExactly(GLACIER, DEEP);
                assertThat(read(repository, GLACIER)).isEqualTo(bytes(GLACIER, 3000));
                assertThat(read(repository, DEEP)).isEqualTo(bytes(DEEP, 4000));
            }
        }

        @Test
        @DisplayName("an object being restored or restored already gets no request at all")
        void noRequestWhenUnderway() {
            fourClasses();
            stub.startRestore(GLACIER);
            stub.finishRestore(DEEP);
            try (S3Repository repository = S3Repository.of(stub.config().build())) {
                ArchiveRetrievalResult result = repository.prepareRead(List.of(GLACIER, DEEP), FAST, p -> { });
                assertThat(result.archived()).containsExactly(GLACIER, DEEP);
            }
            assertThat(stub.restores()).isEmpty();
        }

        @Test
        @DisplayName("the timeout is a typed error saying how many objects are still being restored and that "
                + "rerunning is safe; a rerun sends no new request and ends when they are restored")
        void timeout() throws IOException {
            stub.put(STANDARD, bytes(STANDARD, 1000), "STANDARD", 1)
                    .put(GLACIER, bytes(GLACIER, 3000), "GLACIER", 1)
                    .put(DEEP, bytes(DEEP, 4000), "DEEP_ARCHIVE", Integer.MAX_VALUE);
            try (S3Repository repository = S3Repository.of(stub.config().build())) {
                ArchiveRetrieval brief = FAST.withTimeout(Duration.ofMillis(200));
                assertThatExceptionOfType(ArchiveRetrievalTimeoutException.class)
                        .isThrownBy(() -> repository.prepareRead(List.of(STANDARD, GLACIER, DEEP), brief, p -> { }))
                        .satisfies(e -> {
                            assertThat(e.reason()).isEqualTo(Reason.ARCHIVE_RETRIEVAL_PENDING);
                            assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
                            assertThat(e.retryable()).isTrue();
                            assertThat(e.total()).isEqualTo(2);
                            assertThat(e.pending()).containsExactly(DEEP);
                        })
                        .withMessageContaining("1 of 2 archived object(s)").withMessageContaining(stub.config()
                                .build().id()).withMessageContaining("safe");
                assertThat(stub.restores()).extracting(RestoreCall::key).containsExactly(GLACIER, DEEP);

                stub.finishRestore(DEEP);
                ArchiveRetrievalResult rerun = repository.prepareRead(List.of(STANDARD, GLACIER, DEEP), FAST,
                        p -> { });
                assertThat(rerun.requestsSent()).isZero();
                assertThat(stub.restores()).hasSize(2);
                assertThat(read(repository, DEEP)).isEqualTo(bytes(DEEP, 4000));
            }
        }

        @Test
        @DisplayName("a zero timeout sends the requests and fails at once with what is pending, without a poll")
        void zeroTimeout() {
            fourClasses();
            try (S3Repository repository = S3Repository.of(stub.config().build())) {
                assertThatExceptionOfType(ArchiveRetrievalTimeoutException.class)
                        .isThrownBy(() -> repository.prepareRead(List.of(STANDARD, GLACIER, DEEP),
                                FAST.withTimeout(Duration.ZERO), p -> { }))
                        .satisfies(e -> assertThat(e.pending()).containsExactly(GLACIER, DEEP));
            }
            assertThat(stub.restores()).extracting(RestoreCall::key).containsExactly(GLACIER, DEEP);
            assertThat(stub.requests()).filteredOn(r -> r.startsWith("HEAD")).hasSize(3);
        }

        @Test
        @DisplayName("a HeadObject that fails while polling (503 SlowDown after the SDK's retries) counts as still "
                + "pending: the wait goes on and ends when the object is restored")
        void transientPollFailure() throws IOException {
            stub.put(GLACIER, bytes(GLACIER, 3000), "GLACIER", 3).failHeads(GLACIER, 2, 2); // the first poll's HEAD
            try (S3Repository repository = S3Repository.of(stub.config().maxAttempts(1).build())) {
                ArchiveRetrievalResult result = repository.prepareRead(List.of(GLACIER), FAST, p -> { });
                assertThat(result.archived()).containsExactly(GLACIER);
                assertThat(result.requestsSent()).isEqualTo(1);
                assertThat(read(repository, GLACIER)).isEqualTo(bytes(GLACIER, 3000));
            }
            assertThat(stub.restores()).extracting(RestoreCall::status).containsExactly(202);
        }

        @Test
        @DisplayName("HeadObjects that fail until the timeout end in the timeout, which counts them and quotes the "
                + "last")
        void pollFailuresUntilTimeout() {
            stub.put(GLACIER, bytes(GLACIER, 3000), "GLACIER", 3).failHeads(GLACIER, 2, Integer.MAX_VALUE);
            try (S3Repository repository = S3Repository.of(stub.config().maxAttempts(1).build())) {
                assertThatExceptionOfType(ArchiveRetrievalTimeoutException.class)
                        .isThrownBy(() -> repository.prepareRead(List.of(GLACIER),
                                FAST.withTimeout(Duration.ofMillis(300)), p -> { }))
                        .satisfies(e -> assertThat(e.pending()).containsExactly(GLACIER))
                        .withMessageContaining("HeadObject").withMessageContaining("503");
            }
        }

        @Test
        @DisplayName("a restored copy that could expire before the wait and the read are over is asked for again: "
                + "S3 answers 200 and moves its expiry to now + days")
        void nearExpiryExtended() throws IOException {
            stub.put(GLACIER, bytes(GLACIER, 3000), "GLACIER", 3).put(DEEP, bytes(DEEP, 4000), "DEEP_ARCHIVE", 3);
            stub.finishRestore(GLACIER, Duration.ofHours(1)); // another client restored it with a short Days
            stub.finishRestore(DEEP, Duration.ofDays(2)); // lasts longer than the 20 s wait and the read margin
            try (S3Repository repository = S3Repository.of(stub.config().build())) {
                ArchiveRetrievalResult result = repository.prepareRead(List.of(GLACIER, DEEP), FAST, p -> { });
                assertThat(stub.restores()).containsExactly(new RestoreCall(GLACIER, 200, "Standard", 3));
                assertThat(result.requestsSent()).isZero();
                assertThat(result.earliestExpiry()).hasValueSatisfying(
                        expiry -> assertThat(expiry).isAfter(Instant.now().plus(Duration.ofDays(1))));
                assertThat(read(repository, GLACIER)).isEqualTo(bytes(GLACIER, 3000));
            }
        }

        @Test
        @DisplayName("a store that never reports restore progress (no x-amz-restore) gets one request and one "
                + "re-send per object, then a typed error saying to retrieve by hand")
        void unreportedProgress() {
            stub.reportsRestore(false);
            stub.put(GLACIER, bytes(GLACIER, 3000), "GLACIER", Integer.MAX_VALUE);
            try (S3Repository repository = S3Repository.of(stub.config().build())) {
                assertThatExceptionOfType(S3RepositoryException.class)
                        .isThrownBy(() -> repository.prepareRead(List.of(GLACIER),
                                FAST.withTimeout(Duration.ofSeconds(2)), p -> { }))
                        .satisfies(e -> {
                            assertThat(e.reason()).isEqualTo(Reason.ARCHIVE_RESTORE_UNREPORTED);
                            assertThat(e.code()).isEqualTo(ErrorCode.ARCHIVED);
                            assertThat(e.retryable()).isFalse();
                        })
                        .withMessageContaining(GLACIER).withMessageContaining("x-amz-restore")
                        .withMessageContaining("by hand");
            }
            assertThat(stub.restores()).extracting(RestoreCall::status).containsExactly(202, 409);
        }

        @Test
        @DisplayName("a key without an object is NotFoundException before any retrieval is requested")
        void missingKey() {
            fourClasses();
            try (S3Repository repository = S3Repository.of(stub.config().build())) {
                assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> repository.prepareRead(
                                List.of(GLACIER, "data/20260101T000000Z-aaaaaa/gone"), FAST, p -> { }))
                        .withMessageContaining("gone");
            }
            assertThat(stub.restores()).isEmpty();
        }
    }

    @Nested
    @DisplayName("prepareRead(keys), as a restore calls it")
    class RestorePath {
        @Test
        @DisplayName("without archiveRetrieval in the settings: no request at all, and an archived object still fails "
                + "ARCHIVED with the remedy")
        void notOptedIn() {
            fourClasses();
            try (S3Repository repository = S3Repository.of(stub.config().build())) {
                int before = stub.requests().size();
                repository.prepareRead(List.of(STANDARD, GLACIER, DEEP));
                assertThat(stub.requests()).hasSize(before);
                assertThatExceptionOfType(S3RepositoryException.class).isThrownBy(() -> read(repository, GLACIER))
                        .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.ARCHIVED))
                        .withMessageContaining("archiveRetrieval");
            }
        }

        @Test
        @DisplayName("with archiveRetrieval in the settings: the archived objects are retrieved with those settings "
                + "and read afterwards")
        void optedIn() throws IOException {
            fourClasses();
            try (S3Repository repository = S3Repository.of(stub.config()
                    .archiveRetrieval(FAST.withTier(ArchiveRetrieval.Tier.EXPEDITED).withDays(1)).build())) {
                repository.prepareRead(List.of(STANDARD, INSTANT, GLACIER, DEEP));
                assertThat(stub.restores()).containsExactly(new RestoreCall(GLACIER, 202, "Expedited", 1),
                        new RestoreCall(DEEP, 202, "Expedited", 1));
                assertThat(read(repository, DEEP)).isEqualTo(bytes(DEEP, 4000));
            }
        }
    }

    @Nested
    @DisplayName("settings")
    class Settings {
        @Test
        @DisplayName("defaults: Standard tier, 3 days, polled every minute, 48 hours at most; off in the settings")
        void defaults() {
            assertThat(ArchiveRetrieval.defaults()).isEqualTo(new ArchiveRetrieval(ArchiveRetrieval.Tier.STANDARD, 3,
                    Duration.ofMinutes(1), Duration.ofHours(48)));
            assertThat(S3RepositoryConfig.builder("backups").build().archiveRetrieval()).isEmpty();
            S3RepositoryConfig on = S3RepositoryConfig.builder("backups").archiveRetrieval(ArchiveRetrieval.defaults())
                    .build();
            assertThat(on.toBuilder().build()).isEqualTo(on);
        }

        @Test
        @DisplayName("the restored copies must outlast the wait plus 12 hours of reading: days=1 with a 48 h timeout "
                + "is refused, the defaults (3 days, 48 h) are not")
        void daysOutlastTimeout() {
            assertThatExceptionOfType(ConfigurationException.class)
                    .isThrownBy(() -> ArchiveRetrieval.defaults().withDays(1))
                    .withMessageContaining("days").withMessageContaining("PT48H").withMessageContaining("12 h")
                    .withMessageContaining("at least 3");
            assertThatExceptionOfType(ConfigurationException.class) // 48 h is not more than 36 h + 12 h
                    .isThrownBy(() -> ArchiveRetrieval.defaults().withTimeout(Duration.ofHours(36)).withDays(2));
            assertThat(ArchiveRetrieval.defaults().withTimeout(Duration.ofHours(35)).withDays(2).days()).isEqualTo(2);
            assertThat(ArchiveRetrieval.defaults().withTimeout(Duration.ofHours(1)).withDays(1).days()).isEqualTo(1);
        }

        @Test
        @DisplayName("every invalid setting is reported at once")
        void invalid() {
            assertThatExceptionOfType(ConfigurationException.class)
                    .isThrownBy(() -> new ArchiveRetrieval(null, 0, Duration.ZERO, Duration.ofSeconds(-1)))
                    .satisfies(e -> assertThat(e.problems()).hasSize(4));
        }
    }
}
