package io.pgvault.storage.s3;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.InvalidKeyException;
import io.pgvault.api.RepositoryException;
import io.pgvault.api.Secret;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectKeys;
import io.pgvault.storage.s3.S3RepositoryException.Reason;
import io.pgvault.testkit.GeneratedContent;
import io.pgvault.testkit.StreamDigest;
import io.pgvault.testkit.s3.S3ProxyFixture;
import io.pgvault.testkit.s3.S3ProxyServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

import static io.pgvault.storage.s3.S3ProxyConfigs.config;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("S3Repository")
class S3RepositoryTest {
    private static final int PART = S3RepositoryConfig.MIN_PART_SIZE;

    @RegisterExtension
    static final S3ProxyFixture S3 = S3ProxyFixture.create();

    @Nested
    @DisplayName("configuration")
    class Configuration {
        @Test
        @DisplayName("the builder reports every invalid setting at once")
        void everyProblemAtOnce() {
            assertThatExceptionOfType(ConfigurationException.class).isThrownBy(() -> S3RepositoryConfig
                            .builder("No_Such..Bucket").prefix("../up").region("EU WEST").endpoint(URI.create("ftp://x"))
                            .partSize(1024).partsInFlight(0).maxAttempts(0).connectTimeout(Duration.ZERO)
                            .credentials(null).build())
                    .satisfies(e -> assertThat(e.problems()).hasSize(9))
                    .withMessageContaining("bucket").withMessageContaining("prefix").withMessageContaining("region")
                    .withMessageContaining("endpoint").withMessageContaining("partSize")
                    .withMessageContaining("partsInFlight").withMessageContaining("maxAttempts")
                    .withMessageContaining("connectTimeout").withMessageContaining("credentials");
        }

        @Test
        @DisplayName("defaults: us-east-1, default chain, STANDARD, no SSE, 16 MiB parts, 4 in flight, no bucket creation")
        void defaults() {
            S3RepositoryConfig config = S3RepositoryConfig.builder("backups").build();
            assertThat(config.prefix()).isEmpty();
            assertThat(config.region()).isEqualTo("us-east-1");
            assertThat(config.credentials()).isEqualTo(S3Credentials.defaultChain());
            assertThat(config.storageClass()).isEqualTo(S3StorageClass.STANDARD);
            assertThat(config.encryption()).isEqualTo(S3Encryption.NONE);
            assertThat(config.maxBufferedBytes()).isEqualTo(32L * 1024 * 1024);
            // 500 parts of 8 MiB, then 9,500 of 16 MiB (half the upload memory): about 152 GiB
            assertThat(config.maxObjectSize()).isEqualTo((500L * 8 + 9_500L * 16) * 1024 * 1024);
            // S3's own ceiling, 5 TiB, needs about 1 GiB parts: 2 GiB of upload memory
            assertThat(config.toBuilder().uploadMemory(2L * 1024 * 1024 * 1024).build().maxObjectSize())
                    .isEqualTo(5L * 1024 * 1024 * 1024 * 1024);
            // Cloudflare R2 wants equal parts: no growth, 10,000 parts of partSize
            assertThat(config.toBuilder().growingParts(false).uploadMemory(2L * 1024 * 1024 * 1024).build()
                    .maxObjectSize()).isEqualTo(10_000L * 8 * 1024 * 1024);
            assertThat(config.createBucket()).isFalse();
            assertThat(config.id()).isEqualTo("s3://backups");
        }

        @Test
        @DisplayName("a prefix gets one trailing '/', and id() shows bucket, prefix and a custom endpoint's host")
        void prefixAndId() {
            S3RepositoryConfig config = S3RepositoryConfig.builder("backups").prefix("pg/prod")
                    .endpoint(URI.create("https://minio.local:9000")).build();
            assertThat(config.prefix()).isEqualTo("pg/prod/");
            assertThat(config.toBuilder().prefix("pg/prod/").build()).isEqualTo(config);
            assertThat(config.id()).isEqualTo("s3://backups/pg/prod@minio.local:9000");
        }

        @Test
        @DisplayName("toString() of settings and credentials shows the access key id, never the secret key or token")
        void noSecretsInToString() {
            S3RepositoryConfig config = S3RepositoryConfig.builder("backups").credentials(
                    ((S3Credentials.Static) S3Credentials.ofStatic("AKIAEXAMPLE", Secret.of("very-secret")))
                            .withSessionToken(Secret.of("session-secret"))).encryption(S3Encryption.sseKms("alias/k"))
                    .build();
            assertThat(config.toString()).contains("AKIAEXAMPLE").contains("alias/k")
                    .doesNotContain("very-secret").doesNotContain("session-secret");
        }

        @Test
        @DisplayName("a KMS key id needs SSE-KMS")
        void kmsKeyNeedsKms() {
            assertThatThrownBy(() -> new S3Encryption(S3Encryption.Mode.SSE_S3, Optional.of("k")))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    @DisplayName("bad input")
    class BadInput {
        @Test
        @DisplayName("a wrong secret key is refused on open as rejected credentials, not retryable, without the secret")
        void wrongSecret() {
            assertThatExceptionOfType(S3RepositoryException.class).isThrownBy(() -> S3Repository.of(
                            config(S3.server(), S3ProxyServer.uniqueBucket("bad"))
                            .credentials(S3Credentials.ofStatic(S3.server().accessKey(), Secret.of("wrong-secret")))
                            .build()))
                    .satisfies(e -> {
                        assertThat(e.reason()).isEqualTo(Reason.CREDENTIALS_REJECTED);
                        assertThat(e.code()).isEqualTo(ErrorCode.CONFIGURATION);
                        assertThat(e.retryable()).isFalse();
                    })
                    .withMessageContaining("credentials").withMessageContaining(S3.server().accessKey())
                    .withMessageNotContaining("wrong-secret");
        }

        @Test
        @DisplayName("an unknown access key is refused as rejected credentials")
        void unknownAccessKey() {
            assertThatExceptionOfType(S3RepositoryException.class).isThrownBy(() -> S3Repository.of(
                            config(S3.server(), S3ProxyServer.uniqueBucket("bad"))
                            .credentials(S3Credentials.ofStatic("nobody", S3.server().secretKey()))
                            .build()))
                    .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.CREDENTIALS_REJECTED))
                    .withMessageNotContaining(S3.server().secretKey().reveal());
        }

        @Test
        @DisplayName("a missing bucket is reported by name when the repository may not create it")
        void missingBucket() {
            assertThatExceptionOfType(S3RepositoryException.class).isThrownBy(() -> S3Repository.of(
                            config(S3.server(), "no-such-bucket").createBucket(false).build()))
                    .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.BUCKET_NOT_FOUND))
                    .withMessageContaining("bucket 'no-such-bucket' does not exist");
        }

        @Test
        @DisplayName("a bucket deleted under an open repository is reported by name on put")
        void bucketDeletedLater() {
            String bucket = S3ProxyServer.uniqueBucket("gone");
            try (S3Repository repository = S3Repository.of(config(S3.server(), bucket).build());
                 S3Client client = client()) {
                client.deleteBucket(request -> request.bucket(bucket));
                assertThatExceptionOfType(S3RepositoryException.class)
                        .isThrownBy(() -> repository.put("k", out -> out.write(1)))
                        .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.BUCKET_NOT_FOUND))
                        .withMessageContaining("cannot store 'k'").withMessageContaining(bucket);
            }
        }

        @Test
        @DisplayName("AccessDenied from S3 becomes ACCESS_DENIED naming bucket and credentials")
        void accessDenied() {
            S3Exception denied = (S3Exception) S3Exception.builder().statusCode(403).awsErrorDetails(
                    AwsErrorDetails.builder().errorCode("AccessDenied").errorMessage("Access Denied").build()).build();
            S3RepositoryConfig config = S3RepositoryConfig.builder("backups")
                    .credentials(S3Credentials.ofStatic("AKIA1", Secret.of("s"))).build();
            S3RepositoryException e = new S3Errors(config).map("cannot store 'k' in s3://backups", denied);
            assertThat(e.reason()).isEqualTo(Reason.ACCESS_DENIED);
            assertThat(e.retryable()).isFalse();
            assertThat(e).hasMessageContaining("access denied to bucket 'backups'").hasMessageContaining("AKIA1");
        }

        @Test
        @DisplayName("an object in Glacier (a store answering 403 InvalidObjectState) is ARCHIVED, not retried, and "
                + "the message says how to restore it; never 'access denied'")
        void archived() throws Exception {
            com.sun.net.httpserver.HttpServer stub = com.sun.net.httpserver.HttpServer.create(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
            java.util.concurrent.atomic.AtomicInteger gets = new java.util.concurrent.atomic.AtomicInteger();
            stub.createContext("/", exchange -> {
                String query = String.valueOf(exchange.getRequestURI().getQuery());
                byte[] body;
                int status;
                if (query.contains("list-type=2")) { // the listing that opening the repository makes
                    status = 200;
                    body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws"
                            + ".com/doc/2006-03-01/\"><Name>cold</Name><Prefix></Prefix><KeyCount>0</KeyCount>"
                            + "<MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>").getBytes();
                } else { // what S3 answers a GET of an object in Glacier Flexible Retrieval or Deep Archive
                    gets.incrementAndGet();
                    status = 403;
                    body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>InvalidObjectState</Code>"
                            + "<Message>The operation is not valid for the object's storage class</Message>"
                            + "<StorageClass>GLACIER</StorageClass><RequestId>R1</RequestId></Error>").getBytes();
                }
                exchange.getResponseHeaders().add("Content-Type", "application/xml");
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            stub.start();
            try (S3Repository repository = S3Repository.of(S3RepositoryConfig.builder("cold")
                    .endpoint(java.net.URI.create("http://127.0.0.1:" + stub.getAddress().getPort())).pathStyle(true)
                    .region("us-east-1").credentials(S3Credentials.ofStatic("AKIA1", Secret.of("s"))).build())) {
                assertThatExceptionOfType(S3RepositoryException.class)
                        .isThrownBy(() -> repository.open("data/20260101T000000Z-aaaaaa/app.dump.zst.age").read())
                        .satisfies(e -> {
                            assertThat(e.reason()).isEqualTo(Reason.ARCHIVED);
                            assertThat(e.code()).isEqualTo(io.pgvault.api.ErrorCode.ARCHIVED);
                            assertThat(e.retryable()).isFalse();
                        })
                        .withMessageContaining("archive storage class").withMessageContaining("restore-object")
                        .withMessageNotContaining("access denied");
                assertThat(gets.get()).as("not retried").isEqualTo(1);
            } finally {
                stub.stop(0);
            }
        }

        @Test
        @DisplayName("a key one character too long is refused before any request")
        void keyTooLong() {
            String bucket = S3ProxyServer.uniqueBucket("keys");
            try (S3Repository repository = S3Repository.of(config(S3.server(), bucket).build())) {
                String key = "k".repeat(ObjectKeys.MAX_LENGTH + 1);
                assertThatExceptionOfType(InvalidKeyException.class).isThrownBy(() -> repository.put(key, out -> {
                    throw new AssertionError("the producer ran");
                })).withMessageContaining("longer than");
                assertThatExceptionOfType(InvalidKeyException.class).isThrownBy(() -> repository.stat(key));
            }
        }
    }

    @Nested
    @DisplayName("multipart uploads")
    class Multipart {
        @Test
        @DisplayName("objects of exactly n parts, a byte less and a byte more read back with the SHA-256 put returned")
        void partBoundaries() throws IOException {
            try (S3Repository repository = S3Repository.of(config(S3.server(), S3ProxyServer.uniqueBucket("mp"))
                    .partsInFlight(2).build())) {
                for (long size : List.of((long) PART, PART - 1L, PART + 1L, 2L * PART, 3L * PART + 7)) {
                    GeneratedContent content = new GeneratedContent(size, size);
                    ObjectInfo info = repository.put("mp/" + size, out -> content.writeTo(out));
                    try (InputStream in = repository.open("mp/" + size)) {
                        assertThat(StreamDigest.of(in)).isEqualTo(new StreamDigest(size, info.sha256().orElseThrow()));
                    }
                    assertThat(repository.stat("mp/" + size).orElseThrow().size()).isEqualTo(size);
                }
            }
        }

        @Test
        @DisplayName("a reader closed early does not download the rest, and the repository goes on working")
        void earlyClose() throws IOException {
            try (S3Repository repository = S3Repository.of(config(S3.server(), S3ProxyServer.uniqueBucket("early"))
                    .build())) {
                GeneratedContent content = new GeneratedContent(4L * PART, 11);
                ObjectInfo info = repository.put("big", out -> content.writeTo(out));
                for (int i = 0; i < 20; i++) {
                    try (InputStream in = repository.open("big")) {
                        assertThat(in.readNBytes(100)).hasSize(100);
                    }
                }
                try (InputStream in = repository.open("big")) {
                    assertThat(StreamDigest.of(in)).isEqualTo(new StreamDigest(4L * PART, info.sha256().orElseThrow()));
                }
            }
        }

        @Test
        @DisplayName("a multipart putIfAbsent on an existing key is refused at CompleteMultipartUpload: the old object "
                + "stays, the upload is aborted")
        void createOnlyMultipart() throws IOException {
            String bucket = S3ProxyServer.uniqueBucket("once");
            try (S3Repository repository = S3Repository.of(config(S3.server(), bucket).partsInFlight(2).build());
                 S3Client client = client()) {
                GeneratedContent first = new GeneratedContent(2L * PART + 5, 21);
                assertThat(repository.putIfAbsent("big", out -> first.writeTo(out))).isPresent();
                assertThat(repository.putIfAbsent("big", out -> new GeneratedContent(3L * PART, 22).writeTo(out)))
                        .isEmpty();
                try (InputStream in = repository.open("big")) {
                    assertThat(StreamDigest.of(in).size()).isEqualTo(2L * PART + 5);
                }
                assertThat(client.listMultipartUploads(request -> request.bucket(bucket)).uploads()).isEmpty();
            }
        }

        @Test
        @DisplayName("a producer failing after several parts leaves no object and no incomplete upload")
        void producerFailureAborts() {
            String bucket = S3ProxyServer.uniqueBucket("abort");
            try (S3Repository repository = S3Repository.of(config(S3.server(), bucket).partsInFlight(2).build());
                 S3Client client = client()) {
                assertThatExceptionOfType(RepositoryException.class).isThrownBy(() -> repository.put("big", out -> {
                    new GeneratedContent(3L * PART + 100, 1).writeTo(out);
                    throw new IOException("pg_dump died");
                })).withMessageContaining("nothing was stored");
                assertThat(repository.stat("big")).isEmpty();
                assertThat(repository.list("")).isEmpty();
                assertThat(client.listMultipartUploads(request -> request.bucket(bucket)).uploads()).isEmpty();
            }
        }

        @Test
        @DisplayName("an interrupted producer thread aborts the upload, keeps its interrupt and gets INTERRUPTED")
        void interruptAborts() {
            String bucket = S3ProxyServer.uniqueBucket("interrupt");
            try (S3Repository repository = S3Repository.of(config(S3.server(), bucket).partsInFlight(1).build());
                 S3Client client = client()) {
                assertThatExceptionOfType(S3RepositoryException.class).isThrownBy(() -> repository.put("big", out -> {
                    new GeneratedContent(PART + 10, 2).writeTo(out);
                    Thread.currentThread().interrupt();
                    new GeneratedContent(2L * PART, 3).writeTo(out);
                })).satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.INTERRUPTED));
                assertThat(Thread.interrupted()).as("interrupt flag kept").isTrue();
                assertThat(repository.stat("big")).isEmpty();
                assertThat(client.listMultipartUploads(request -> request.bucket(bucket)).uploads()).isEmpty();
            }
        }

        @Test
        @DisplayName("abortIncompleteUploads removes uploads a dead process left, and only old enough ones")
        void abortLeftovers() {
            String bucket = S3ProxyServer.uniqueBucket("leftover");
            try (S3Repository repository = S3Repository.of(config(S3.server(), bucket).prefix("p").build());
                 S3Client client = client()) {
                client.createMultipartUpload(request -> request.bucket(bucket).key("p/data/orphan"));
                assertThat(repository.abortIncompleteUploads(Duration.ofDays(1))).isZero();
                assertThat(repository.abortIncompleteUploads(Duration.ZERO)).isEqualTo(1);
                assertThat(client.listMultipartUploads(request -> request.bucket(bucket)).uploads()).isEmpty();
            }
        }
    }

    @Nested
    @DisplayName("abandoned uploads")
    class AbandonedUploads {
        @Test
        @DisplayName("a prune aborts the uploads killed writers left under data/, never a live writer's, another "
                + "tool's in the same bucket, or one younger than the grace")
        void pruneSweepsOnlyAbandoned() throws InterruptedException {
            String bucket = S3ProxyServer.uniqueBucket("abandoned");
            try (S3Repository repository = S3Repository.of(config(S3.server(), bucket).build());
                 S3Client client = client()) {
                String dead = "data/20260101T000000Z-aaaaaa/app.dump.zst.age";
                String live = "data/20260101T000000Z-bbbbbb/app.dump.zst.age";
                String otherTool = "pgbackrest/archive/main/15-1/000000010000000000000001";
                for (String key : java.util.List.of(dead, live, otherTool)) {
                    client.createMultipartUpload(request -> request.bucket(bucket).key(key));
                }
                repository.put("intents/20260101T000000Z-bbbbbb.json", out -> out.write("{}".getBytes()));
                io.pgvault.api.Catalog catalog = new io.pgvault.api.Catalog(repository);
                assertThat(catalog.abandonedWrites(Duration.ofHours(1))).as("younger than the grace").isEmpty();
                Thread.sleep(1100); // S3 times have one-second resolution

                assertThat(catalog.abandonedWrites(Duration.ZERO)).extracting(io.pgvault.spi.IncompleteWrite::key)
                        .containsExactly(dead);
                io.pgvault.api.retention.PruneReport report = io.pgvault.api.retention.Pruner.of(catalog)
                        .withDebrisGrace(Duration.ZERO).prune(io.pgvault.api.retention.RetentionPolicy.keepLast(1)
                                .plan(catalog.list(), java.time.Instant.now()),
                                io.pgvault.api.retention.PruneMode.EXECUTE);

                assertThat(report.debris()).anySatisfy(d -> assertThat(d).startsWith(dead + " (incomplete upload"));
                assertThat(client.listMultipartUploads(request -> request.bucket(bucket)).uploads())
                        .extracting(software.amazon.awssdk.services.s3.model.MultipartUpload::key)
                        .containsExactlyInAnyOrder(live, otherTool);
                assertThat(repository.abortIncompleteUploads(Duration.ZERO)).as("the old sweep spares other tools")
                        .isEqualTo(1);
                assertThat(client.listMultipartUploads(request -> request.bucket(bucket)).uploads())
                        .extracting(software.amazon.awssdk.services.s3.model.MultipartUpload::key)
                        .containsExactly(otherTool);
            }
        }
    }

    @Nested
    @DisplayName("integrity")
    class Integrity {
        @Test
        @DisplayName("stat reports the SHA-256 kept in the metadata of a single-request object")
        void statSha() {
            String bucket = S3ProxyServer.uniqueBucket("sha");
            try (S3Repository repository = S3Repository.of(config(S3.server(), bucket).build())) {
                ObjectInfo put = repository.put("a", out -> out.write(new byte[1000]));
                assertThat(repository.stat("a").orElseThrow().sha256()).isEqualTo(put.sha256());
            }
        }

        @Test
        @DisplayName("bytes changed in storage after the put fail the read with IntegrityException")
        void corruptionDetected() throws IOException {
            String bucket = S3ProxyServer.uniqueBucket("rot");
            try (S3Repository repository = S3Repository.of(config(S3.server(), bucket).build())) {
                repository.put("victim", out -> out.write(new GeneratedContent(10_000, 5).bytes()));
                Path file;
                try (Stream<Path> files = Files.walk(S3.server().storage().resolve(bucket))) {
                    file = files.filter(path -> path.getFileName().toString().equals("victim")).findFirst()
                            .orElseThrow();
                }
                byte[] bytes = Files.readAllBytes(file);
                bytes[5000] ^= 1;
                Files.write(file, bytes);
                assertThatExceptionOfType(IntegrityException.class).isThrownBy(() -> {
                    try (InputStream in = repository.open("victim")) {
                        in.readAllBytes();
                    }
                }).withMessageContaining("'victim'").withMessageContaining("corrupt");
            }
        }
    }

    @Nested
    @DisplayName("storage classes")
    class StorageClasses {
        @Test
        @DisplayName("withStorageClass writes through the same connections with its own storage class")
        void perObjectClass() {
            String bucket = S3ProxyServer.uniqueBucket("tier");
            try (S3Repository repository = S3Repository.of(config(S3.server(), bucket).build())) {
                S3Repository cold = repository.withStorageClass(S3StorageClass.STANDARD_IA);
                assertThat(cold.config().storageClass()).isEqualTo(S3StorageClass.STANDARD_IA);
                assertThat(cold.id()).isEqualTo(repository.id());
                cold.put("cold/a", out -> out.write(1));
                cold.close(); // does not close the shared client
                assertThat(repository.stat("cold/a")).isPresent();
            }
        }
    }

    @Nested
    @DisplayName("request headers")
    class Headers {
        @Test
        @DisplayName("the storage class and the checksums go with single and multipart puts")
        void storageClassAndChecksums() throws IOException {
            String bucket = S3ProxyServer.uniqueBucket("headers");
            try (S3Repository direct = S3Repository.of(config(S3.server(), bucket).build());
                 FaultyProxy proxy = recorder();
                 S3Repository repository = S3Repository.of(config(S3.server(), bucket)
                         .endpoint(URI.create("http://127.0.0.1:" + proxy.port()))
                         .storageClass(S3StorageClass.STANDARD_IA).build())) {
                repository.put("small", out -> out.write(new byte[10]));
                repository.put("large", out -> new GeneratedContent(PART + 1, 4).writeTo(out));
                assertThat(proxy.sentHeaders().toLowerCase(Locale.ROOT))
                        .contains("x-amz-storage-class: standard_ia")
                        .contains("x-amz-checksum-sha256: ").contains("x-amz-meta-pgvault-sha256: ")
                        .contains("put /" + bucket + "/large?partnumber=2&uploadid=")
                        .contains("x-amz-checksum-algorithm: crc32").contains("x-amz-trailer: x-amz-checksum-crc32");
                assertThat(direct.stat("large")).get().extracting(ObjectInfo::size).isEqualTo(PART + 1L);
            }
        }

        @Test
        @DisplayName("SSE-KMS sends its key id; a store without SSE refuses with a clear error and stores nothing")
        void sseKms() throws IOException {
            String bucket = S3ProxyServer.uniqueBucket("sse");
            try (S3Repository direct = S3Repository.of(config(S3.server(), bucket).build());
                 FaultyProxy proxy = recorder();
                 S3Repository repository = S3Repository.of(config(S3.server(), bucket)
                         .endpoint(URI.create("http://127.0.0.1:" + proxy.port()))
                         .encryption(S3Encryption.sseKms("alias/backups")).build())) {
                assertThatExceptionOfType(S3RepositoryException.class)
                        .isThrownBy(() -> repository.put("small", out -> out.write(new byte[10])))
                        .withMessageContaining("cannot store 'small'")
                        .withMessageContaining("Server-side encryption is not supported"); // S3Proxy: 501
                assertThat(proxy.sentHeaders().toLowerCase(Locale.ROOT))
                        .contains("x-amz-server-side-encryption: aws:kms")
                        .contains("x-amz-server-side-encryption-aws-kms-key-id: alias/backups");
                assertThat(direct.list("")).isEmpty();
            }
        }

        private FaultyProxy recorder() throws IOException {
            return new FaultyProxy(S3.server().endpoint().getPort(), FaultyProxy.Fault.DROP, Long.MAX_VALUE, true);
        }
    }

    private static S3Client client() {
        return S3ProxyConfigs.client(S3.server());
    }
}
