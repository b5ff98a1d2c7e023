package io.pgvault.storage.s3;

import io.pgvault.testkit.GeneratedContent;
import io.pgvault.testkit.StreamDigest;
import io.pgvault.testkit.s3.S3ProxyFixture;
import io.pgvault.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.DisplayName;
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
}
