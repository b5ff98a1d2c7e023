package io.pgvault.storage.s3;

import io.pgvault.api.RepositoryException;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.storage.s3.FaultyProxy.Fault;
import io.pgvault.testkit.GeneratedContent;
import io.pgvault.testkit.StreamDigest;
import io.pgvault.testkit.s3.S3ProxyFixture;
import io.pgvault.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static io.pgvault.storage.s3.S3ProxyConfigs.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Puts of a 3.5-part object through a proxy that drops or stalls connections at several points of an upload: every
 * put either completes with the right bytes or leaves nothing visible, and never an incomplete multipart upload.
 */
@DisplayName("S3Repository under network faults")
class S3FaultInjectionTest {
    private static final int PART = S3RepositoryConfig.MIN_PART_SIZE;
    private static final long SIZE = 3L * PART + PART / 2;

    @RegisterExtension
    static final S3ProxyFixture S3 = S3ProxyFixture.create();

    static Stream<Arguments> faults() {
        return Stream.of(
                Arguments.of(Fault.DROP, 100L, true),
                Arguments.of(Fault.DROP, PART / 2L, true),
                Arguments.of(Fault.DROP, PART + 4096L, true),
                Arguments.of(Fault.STALL, PART / 3L, true),
                Arguments.of(Fault.DROP, 1024L * 1024, false),
                Arguments.of(Fault.DROP, PART - 1000L, false),
                Arguments.of(Fault.STALL, 2L * 1024 * 1024, false));
    }

    @ParameterizedTest(name = "{0} after {1} bytes of a connection, once: {2}")
    @MethodSource("faults")
    @DisplayName("a put through a faulty connection completes intact or leaves nothing behind")
    void completesOrLeavesNothing(Fault fault, long afterBytes, boolean once) throws IOException {
        String bucket = S3ProxyServer.uniqueBucket("fault");
        try (S3Repository direct = S3Repository.of(config(S3.server(), bucket).build());
             FaultyProxy proxy = new FaultyProxy(S3.server().endpoint().getPort(), fault, afterBytes, once);
             S3Repository faulty = S3Repository.of(config(S3.server(), bucket)
                     .endpoint(URI.create("http://127.0.0.1:" + proxy.port()))
                     .maxAttempts(3).backoff(Duration.ofMillis(10), Duration.ofMillis(100))
                     .socketTimeout(Duration.ofSeconds(2)).attemptTimeout(Duration.ofSeconds(3))
                     .partsInFlight(2).build());
             S3Client client = S3ProxyConfigs.client(S3.server())) {
            GeneratedContent content = new GeneratedContent(SIZE, afterBytes);
            AtomicReference<String> written = new AtomicReference<>();
            ObjectInfo info = null;
            try {
                info = faulty.put("victim", out -> written.set(content.writeTo(out)));
            } catch (RepositoryException e) {
                assertThat(once).as("a single fault is retried away, but the put failed: %s", e).isFalse();
            }
            assertThat(info != null).as("a put fails exactly when every connection breaks").isEqualTo(once);
            if (info != null) {
                assertThat(info.sha256()).hasValue(written.get());
                try (InputStream in = direct.open("victim")) {
                    assertThat(StreamDigest.of(in)).isEqualTo(new StreamDigest(SIZE, written.get()));
                }
            } else {
                assertThat(direct.stat("victim")).isEmpty();
                assertThat(direct.list("")).isEmpty();
            }
            assertThat(proxy.faults()).isPositive();
            assertThat(client.listMultipartUploads(request -> request.bucket(bucket)).uploads())
                    .as("incomplete multipart uploads").isEmpty();
        }
    }

    static Stream<Arguments> persistentFaults() {
        return faults().filter(arguments -> !(Boolean) arguments.get()[2]);
    }

    @ParameterizedTest(name = "{0} after {1} bytes of a connection, once: {2}")
    @MethodSource("persistentFaults")
    @DisplayName("the previous object under the key survives a put that fails")
    void previousSurvives(Fault fault, long afterBytes, boolean once) throws IOException {
        String bucket = S3ProxyServer.uniqueBucket("keep");
        try (S3Repository direct = S3Repository.of(config(S3.server(), bucket).build());
             FaultyProxy proxy = new FaultyProxy(S3.server().endpoint().getPort(), fault, afterBytes, once);
             S3Repository faulty = S3Repository.of(config(S3.server(), bucket)
                     .endpoint(URI.create("http://127.0.0.1:" + proxy.port()))
                     .maxAttempts(2).backoff(Duration.ofMillis(10), Duration.ofMillis(100))
                     .socketTimeout(Duration.ofSeconds(2)).attemptTimeout(Duration.ofSeconds(3)).build())) {
            direct.put("victim", out -> out.write("previous".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            assertThatExceptionOfType(RepositoryException.class).isThrownBy(() ->
                    faulty.put("victim", out -> new GeneratedContent(SIZE, 9).writeTo(out)));
            try (InputStream in = direct.open("victim")) {
                assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII))
                        .isEqualTo("previous");
            }
        }
    }
}
