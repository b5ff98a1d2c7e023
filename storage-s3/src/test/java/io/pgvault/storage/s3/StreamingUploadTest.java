package io.pgvault.storage.s3;

import io.pgvault.testkit.GeneratedContent;
import io.pgvault.testkit.StreamDigest;
import io.pgvault.testkit.s3.S3ProxyFixture;
import io.pgvault.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static io.pgvault.storage.s3.S3ProxyConfigs.config;
import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("StreamingUpload")
class StreamingUploadTest {
    private static final int PART = S3RepositoryConfig.MIN_PART_SIZE;

    @RegisterExtension
    static final S3ProxyFixture S3 = S3ProxyFixture.create();

    @ParameterizedTest(name = "{0} in flight")
    @ValueSource(ints = {1, 2, 3})
    @DisplayName("a 12-part object never takes more part buffers than partsInFlight")
    void boundedBuffers(int partsInFlight) throws IOException {
        String bucket = S3ProxyServer.uniqueBucket("bounded");
        S3RepositoryConfig config = config(S3.server(), bucket).partsInFlight(partsInFlight).build();
        long size = 12L * PART - 3;
        ExecutorService executor = Executors.newCachedThreadPool();
        try (S3Repository repository = S3Repository.of(config); S3Client client = S3ProxyConfigs.client(S3.server())) {
            String sha256;
            try (StreamingUpload upload = new StreamingUpload(client, config, new StreamingUpload.ObjectTarget(
                    bucket, "k", Map.of(), request -> { }, request -> { }, request -> { }), executor)) {
                new GeneratedContent(size, 3).writeTo(upload);
                sha256 = upload.complete();
                assertThat(upload.partBuffersAllocated()).isBetween(1, partsInFlight);
            }
            try (InputStream in = repository.open("k")) {
                assertThat(StreamDigest.of(in)).isEqualTo(new StreamDigest(size, sha256));
            }
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    @DisplayName("parts grow as the object does: an object larger than the part limit times the first part size "
            + "restores byte for byte, and the upload memory is never exceeded")
    void partsGrow() throws IOException {
        String bucket = S3ProxyServer.uniqueBucket("grow");
        // 6 parts, doubling every 2 from 5 MiB up to 10 MiB: 50 MiB fit where fixed parts would hold 30 MiB
        PartSchedule schedule = new PartSchedule(PART, 2 * PART, 2, 6);
        S3RepositoryConfig config = config(S3.server(), bucket).partsInFlight(4).uploadMemory(4L * PART).build();
        long size = 40L * 1024 * 1024 + 12345;
        assertThat(size).isGreaterThan(6L * PART);
        ExecutorService executor = Executors.newCachedThreadPool();
        try (S3Repository repository = S3Repository.of(config); S3Client client = S3ProxyConfigs.client(S3.server())) {
            String sha256;
            try (StreamingUpload upload = new StreamingUpload(client, config, new StreamingUpload.ObjectTarget(
                    bucket, "grown", Map.of(), request -> { }, request -> { }, request -> { }), executor, schedule)) {
                new GeneratedContent(size, 4).writeTo(upload);
                sha256 = upload.complete();
                assertThat(upload.peakBufferedBytes()).isPositive().isLessThanOrEqualTo(config.uploadMemory());
            }
            try (InputStream in = repository.open("grown")) {
                assertThat(StreamDigest.of(in)).isEqualTo(new StreamDigest(size, sha256));
            }
            assertThat(client.listMultipartUploads(r -> r.bucket(bucket)).uploads()).isEmpty();
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    @DisplayName("an object past what the schedule holds fails with OBJECT_TOO_LARGE and leaves nothing")
    void tooLarge() throws IOException {
        String bucket = S3ProxyServer.uniqueBucket("toolarge");
        PartSchedule schedule = new PartSchedule(PART, PART, 1, 3);
        S3RepositoryConfig config = config(S3.server(), bucket).uploadMemory(2L * PART).build();
        ExecutorService executor = Executors.newCachedThreadPool();
        try (S3Repository repository = S3Repository.of(config); S3Client client = S3ProxyConfigs.client(S3.server())) {
            try (StreamingUpload upload = new StreamingUpload(client, config, new StreamingUpload.ObjectTarget(
                    bucket, "big", Map.of(), request -> { }, request -> { }, request -> { }), executor, schedule)) {
                org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new GeneratedContent(4L * PART + 1, 5).writeTo(upload)).isInstanceOf(IOException.class);
                assertThat(upload.storageFailure()).isInstanceOfSatisfying(S3RepositoryException.class,
                        e -> assertThat(e.reason()).isEqualTo(S3RepositoryException.Reason.OBJECT_TOO_LARGE));
            }
            assertThat(client.listMultipartUploads(r -> r.bucket(bucket)).uploads()).isEmpty();
            assertThat(repository.stat("big")).isEmpty();
        } finally {
            executor.shutdownNow();
        }
    }

    @ParameterizedTest(name = "upload memory {0} parts")
    @ValueSource(ints = {1, 2, 3})
    @DisplayName("the upload memory bounds the buffers, whatever partsInFlight allows")
    void memoryBound(int parts) throws IOException {
        String bucket = S3ProxyServer.uniqueBucket("membound");
        S3RepositoryConfig config = config(S3.server(), bucket).partsInFlight(8).uploadMemory((long) parts * PART)
                .build();
        long size = 9L * PART + 7;
        ExecutorService executor = Executors.newCachedThreadPool();
        try (S3Repository repository = S3Repository.of(config); S3Client client = S3ProxyConfigs.client(S3.server())) {
            String sha256;
            try (StreamingUpload upload = new StreamingUpload(client, config, new StreamingUpload.ObjectTarget(
                    bucket, "m", Map.of(), request -> { }, request -> { }, request -> { }), executor)) {
                new GeneratedContent(size, 6).writeTo(upload);
                sha256 = upload.complete();
                assertThat(upload.peakBufferedBytes()).isLessThanOrEqualTo((long) parts * PART);
                assertThat(upload.partBuffersAllocated()).isBetween(1, parts);
            }
            try (InputStream in = repository.open("m")) {
                assertThat(StreamDigest.of(in)).isEqualTo(new StreamDigest(size, sha256));
            }
        } finally {
            executor.shutdownNow();
        }
    }
}
