package io.pgvault.storage.s3;

import io.pgvault.spi.ObjectInfo;
import io.pgvault.storage.s3.FaultyProxy.Fault;
import io.pgvault.testkit.GeneratedContent;
import io.pgvault.testkit.StreamDigest;
import io.pgvault.testkit.s3.S3ProxyFixture;
import io.pgvault.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.concurrent.atomic.AtomicReference;

import static io.pgvault.storage.s3.S3ProxyConfigs.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A store that refuses S3's flexible checksum headers (Backblaze B2 and others that lag AWS), played by a proxy in
 * front of S3Proxy that answers such requests 400 "Unsupported header": with {@code flexibleChecksums(false)} single
 * and multipart puts, reads, stats, lists and deletes all work, and pgvault's SHA-256 still covers every object.
 */
@DisplayName("S3Repository against a store without flexible checksums")
class S3CompatibilityTest {
    @RegisterExtension
    static final S3ProxyFixture S3 = S3ProxyFixture.create();

    @Test
    @DisplayName("with the defaults, a put to such a store fails with its 400, and nothing is stored")
    void defaultsAreRefused() throws IOException {
        String bucket = S3ProxyServer.uniqueBucket("b2dflt");
        try (S3Repository direct = S3Repository.of(config(S3.server(), bucket).build());
             FaultyProxy store = new FaultyProxy(S3.server().endpoint().getPort(), Fault.REFUSE_CHECKSUM_HEADERS,
                     Long.MAX_VALUE, false);
             S3Repository repository = S3Repository.of(config(S3.server(), bucket)
                     .endpoint(URI.create("http://127.0.0.1:" + store.port())).maxAttempts(1).build())) {
            assertThatExceptionOfType(S3RepositoryException.class)
                    .isThrownBy(() -> repository.put("a", out -> out.write(new byte[100])))
                    .withMessageContaining("Unsupported header");
            assertThat(direct.list("")).isEmpty();
            assertThat(store.faults()).isPositive();
        }
    }

    @Test
    @DisplayName("flexibleChecksums(false): single and multipart puts round-trip byte for byte through it, no "
            + "checksum header is sent, and every object keeps its SHA-256")
    void compatibleMode() throws IOException {
        String bucket = S3ProxyServer.uniqueBucket("b2");
        int part = S3RepositoryConfig.MIN_PART_SIZE;
        try (S3Repository direct = S3Repository.of(config(S3.server(), bucket).build());
             FaultyProxy store = new FaultyProxy(S3.server().endpoint().getPort(), Fault.REFUSE_CHECKSUM_HEADERS,
                     Long.MAX_VALUE, false);
             S3Repository repository = S3Repository.of(config(S3.server(), bucket)
                     .endpoint(URI.create("http://127.0.0.1:" + store.port())).flexibleChecksums(false)
                     .partSize(part).partsInFlight(2).build())) {
            GeneratedContent small = new GeneratedContent(1000, 7);
            GeneratedContent big = new GeneratedContent(2L * part + 12345, 8);
            AtomicReference<String> smallSha = new AtomicReference<>();
            AtomicReference<String> bigSha = new AtomicReference<>();
            ObjectInfo one = repository.put("data/s/small", out -> smallSha.set(small.writeTo(out)));
            ObjectInfo three = repository.put("data/s/big", out -> bigSha.set(big.writeTo(out)));

            assertThat(store.faults()).as("nothing the store refuses was sent").isZero();
            assertThat(store.sentHeaders()).doesNotContainIgnoringCase("x-amz-checksum")
                    .doesNotContainIgnoringCase("x-amz-sdk-checksum");
            assertThat(one.sha256()).hasValue(smallSha.get());
            assertThat(three.sha256()).hasValue(bigSha.get());
            assertThat(repository.stat("data/s/small").orElseThrow().sha256()).hasValue(smallSha.get());
            for (String key : new String[] {"data/s/small", "data/s/big"}) {
                try (InputStream in = repository.open(key); InputStream there = direct.open(key)) {
                    StreamDigest read = StreamDigest.of(in);
                    assertThat(read).isEqualTo(StreamDigest.of(there));
                    assertThat(read.sha256()).isEqualTo(key.endsWith("small") ? smallSha.get() : bigSha.get());
                }
            }
            assertThat(repository.list("data/")).extracting(ObjectInfo::key)
                    .containsExactly("data/s/big", "data/s/small");
            assertThat(repository.putIfAbsent("data/s/small", out -> out.write(1))).isEmpty();
            repository.delete("data/s/big");
            assertThat(direct.stat("data/s/big")).isEmpty();
            assertThat(store.faults()).isZero();
        }
    }
}
