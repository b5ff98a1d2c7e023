package io.pgvault.storage.s3;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.RepositoryException;
import io.pgvault.storage.s3.S3RepositoryException.Reason;
import io.pgvault.testkit.s3.TlsS3Server;
import io.pgvault.testkit.s3.TlsS3ServerFixture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

@DisplayName("S3Repository over HTTPS")
class S3RepositoryTlsTest {
    @RegisterExtension
    static final TlsS3ServerFixture S3 = TlsS3ServerFixture.create();

    /** Settings for {@code bucket} on the TLS server, trusting its certificate through its PEM file. */
    static S3RepositoryConfig.Builder config(TlsS3Server server, String bucket) {
        return S3RepositoryConfig.builder(bucket)
                .endpoint(server.endpoint())
                .pathStyle(true)
                .region(TlsS3Server.REGION)
                .credentials(S3Credentials.ofStatic(server.accessKey(), server.secretKey()))
                .partSize(S3RepositoryConfig.MIN_PART_SIZE)
                .caFile(server.caFile());
    }

    @Nested
    @DisplayName("with the server's certificate trusted through caFile")
    class Trusted {
        @Test
        @DisplayName("stores, lists, reads and deletes objects")
        void roundTrip() throws Exception {
            TlsS3Server server = S3.server();
            String bucket = TlsS3Server.uniqueBucket("tls");
            server.createBucket(bucket);
            try (S3Repository repository = S3Repository.of(config(server, bucket).prefix("p").build())) {
                repository.put("a/one", out -> out.write("over tls".getBytes(StandardCharsets.UTF_8)));
                assertThat(repository.list("a/")).extracting(info -> info.key()).containsExactly("a/one");
                try (InputStream in = repository.open("a/one")) {
                    assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("over tls");
                }
                repository.delete("a/one");
                assertThat(repository.list("a/")).isEmpty();
            }
        }

        @Test
        @DisplayName("a multipart put of several parts arrives intact")
        void multipart() throws Exception {
            TlsS3Server server = S3.server();
            String bucket = TlsS3Server.uniqueBucket("tls-multipart");
            server.createBucket(bucket);
            byte[] data = new byte[3 * S3RepositoryConfig.MIN_PART_SIZE + 17];
            new java.util.Random(7).nextBytes(data);
            try (S3Repository repository = S3Repository.of(config(server, bucket).build())) {
                repository.put("big", out -> new ByteArrayInputStream(data).transferTo(out));
                try (InputStream in = repository.open("big")) {
                    assertThat(in.readAllBytes()).isEqualTo(data);
                }
            }
        }
    }

    @Nested
    @DisplayName("with the server's certificate not trusted")
    class Untrusted {
        @Test
        @DisplayName("the JVM's default trust store: opening fails with CERTIFICATE_REJECTED naming caFile")
        void defaultTrustStore() {
            TlsS3Server server = S3.server();
            String bucket = TlsS3Server.uniqueBucket("untrusted");
            server.createBucket(bucket);
            S3RepositoryConfig config = config(server, bucket).caFile(null).maxAttempts(1).build();
            assertThatExceptionOfType(S3RepositoryException.class).isThrownBy(() -> S3Repository.of(config))
                    .isInstanceOf(RepositoryException.class)
                    .satisfies(e -> {
                        assertThat(e.reason()).isEqualTo(Reason.CERTIFICATE_REJECTED);
                        assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION);
                        assertThat(e.retryable()).isFalse();
                    })
                    .withMessageContaining(server.endpoint().toString())
                    .withMessageContaining("not trusted")
                    .withMessageContaining("the JVM's default trust store")
                    .withMessageContaining("caFile")
                    .withMessageNotContaining(server.secretKey().reveal());
        }

        @Test
        @DisplayName("another server's certificate in caFile: CERTIFICATE_REJECTED naming that file, nothing stored")
        void anotherCertificate() {
            TlsS3Server server = S3.server();
            String bucket = TlsS3Server.uniqueBucket("wrong-ca");
            long before;
            try (TlsS3Server other = TlsS3Server.builder().inMemory(true).start()) {
                S3RepositoryConfig config = config(server, bucket).caFile(other.caFile()).maxAttempts(1)
                        .createBucket(true).build();
                before = server.storedBytes();
                assertThatExceptionOfType(S3RepositoryException.class).isThrownBy(() -> S3Repository.of(config))
                        .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.CERTIFICATE_REJECTED))
                        .withMessageContaining(other.caFile().toString());
            }
            assertThat(server.bucketExists(bucket)).isFalse();
            assertThat(server.storedBytes()).isEqualTo(before);
        }

        @Test
        @DisplayName("verifyTls(false) accepts the unknown certificate (for throwaway test servers)")
        void verifyOff() throws Exception {
            TlsS3Server server = S3.server();
            String bucket = TlsS3Server.uniqueBucket("noverify");
            server.createBucket(bucket);
            try (S3Repository repository = S3Repository.of(config(server, bucket).caFile(null).verifyTls(false)
                    .build())) {
                repository.put("k", out -> out.write(1));
                assertThat(repository.list("")).hasSize(1);
            }
        }
    }

    @Nested
    @DisplayName("configuration")
    class Configuration {
        @Test
        @DisplayName("defaults: verify TLS against the JVM's trust store")
        void defaults() {
            S3RepositoryConfig config = S3RepositoryConfig.builder("backups").build();
            assertThat(config.verifyTls()).isTrue();
            assertThat(config.caFile()).isEmpty();
        }

        @Test
        @DisplayName("caFile is made absolute and survives toBuilder()")
        void absoluteAndCopied() {
            Path relative = Path.of(".").toAbsolutePath().relativize(S3.server().caFile());
            S3RepositoryConfig config = S3RepositoryConfig.builder("backups")
                    .endpoint(URI.create("https://minio.local:9000")).caFile(relative).build();
            assertThat(config.caFile()).contains(S3.server().caFile());
            assertThat(config.toBuilder().build()).isEqualTo(config);
            S3RepositoryConfig off = config.toBuilder().caFile(null).verifyTls(false).build();
            assertThat(off.toBuilder().build().verifyTls()).isFalse();
        }

        @Test
        @DisplayName("a missing caFile, a caFile without certificates, caFile with verifyTls off and TLS settings "
                + "on an http endpoint are each reported, all at once")
        void invalid(@TempDir Path dir) throws Exception {
            Path notPem = Files.writeString(dir.resolve("not.pem"), "just text\n");
            assertThatExceptionOfType(ConfigurationException.class).isThrownBy(() -> S3RepositoryConfig
                            .builder("backups").caFile(dir.resolve("missing.pem")).build())
                    .withMessageContaining("missing.pem").withMessageContaining("does not exist");
            assertThatExceptionOfType(ConfigurationException.class).isThrownBy(() -> S3RepositoryConfig
                            .builder("backups").caFile(notPem).build())
                    .withMessageContaining("not.pem");
            assertThatExceptionOfType(ConfigurationException.class).isThrownBy(() -> S3RepositoryConfig
                            .builder("backups").caFile(dir).build())
                    .withMessageContaining("is not a file");
            assertThatExceptionOfType(ConfigurationException.class).isThrownBy(() -> S3RepositoryConfig
                            .builder("backups").endpoint(URI.create("http://127.0.0.1:9000"))
                            .caFile(notPem).verifyTls(false).build())
                    .satisfies(e -> assertThat(e.problems()).hasSize(3))
                    .withMessageContaining("https endpoints only")
                    .withMessageContaining("has no effect when verifyTls is false")
                    .withMessageContaining("not.pem");
        }
    }
}
