package io.pgvault.storage.s3;

import io.pgvault.api.Secret;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real S3 server on loopback for one test class: S3Proxy in-process over HTTP, storing objects in a temporary
 * directory, with its own key pair. Register it as a static {@code @RegisterExtension} field.
 */
final class S3ProxyFixture implements BeforeAllCallback, AfterAllCallback {
    static final String ACCESS_KEY = "pgvault-test-access";
    static final String SECRET_KEY = "pgvault-test-secret-d0f1c9";

    private static final AtomicInteger BUCKETS = new AtomicInteger();

    /** Nested test classes call beforeAll/afterAll again: the server runs from the first call to the last. */
    private int users;
    private Path directory;
    private S3Proxy proxy;
    private URI endpoint;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (users++ > 0) {
            return;
        }
        directory = Files.createTempDirectory("pgvault-s3proxy-");
        proxy = S3Proxy.builder()
                .blobStore(new FilesystemNio2BlobStore(directory.toString()))
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .ignoreUnknownHeaders(true)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
            }
            Thread.onSpinWait();
        }
        endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (--users > 0) {
            return;
        }
        if (proxy != null) {
            proxy.stop();
        }
        if (directory != null) {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    URI endpoint() {
        return endpoint;
    }

    /** @return the directory S3Proxy keeps its buckets in */
    Path storage() {
        return directory;
    }

    /** @return a bucket name no other test of this JVM uses */
    static String uniqueBucket(String stem) {
        return stem + "-" + BUCKETS.incrementAndGet();
    }

    /** @return settings for {@code bucket} on this server, creating it when opened, with the smallest parts */
    S3RepositoryConfig.Builder config(String bucket) {
        return S3RepositoryConfig.builder(bucket)
                .endpoint(endpoint)
                .pathStyle(true)
                .region("us-east-1")
                .credentials(S3Credentials.ofStatic(ACCESS_KEY, Secret.of(SECRET_KEY)))
                .partSize(S3RepositoryConfig.MIN_PART_SIZE)
                .createBucket(true);
    }

    /** @return a plain SDK client of this server, to look behind the repository's back */
    S3Client client() {
        return S3Client.builder().endpointOverride(endpoint).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .build();
    }

    long storedBytes() throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).mapToLong(path -> path.toFile().length()).sum();
        }
    }
}
