package io.pgvault.examples.tiers;

import io.pgvault.api.Secret;
import io.pgvault.storage.s3.S3Credentials;
import io.pgvault.storage.s3.S3RepositoryConfig;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real S3 server for one test class: S3Proxy in-process over HTTP on a free loopback port, keeping each bucket as a
 * directory under a temporary directory (so a test can take a whole bucket away and bring it back).
 */
final class S3Server implements BeforeAllCallback, AfterAllCallback {
    static final String ACCESS_KEY = "pgvault-tiers-access";
    static final String SECRET_KEY = "pgvault-tiers-secret-7c1e";
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private Path directory;
    private S3Proxy proxy;
    private URI endpoint;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        directory = Files.createTempDirectory("pgvault-tiers-s3-");
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
        if (proxy != null) {
            proxy.stop();
        }
        if (directory != null) {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    /** @return settings for a new bucket on this server, created when the repository opens */
    S3RepositoryConfig.Builder newBucket(String stem) {
        return S3RepositoryConfig.builder(stem + "-" + BUCKETS.incrementAndGet())
                .endpoint(endpoint)
                .pathStyle(true)
                .region("us-east-1")
                .credentials(S3Credentials.ofStatic(ACCESS_KEY, Secret.of(SECRET_KEY)))
                .partSize(S3RepositoryConfig.MIN_PART_SIZE)
                .createBucket(true);
    }

    /** @return the directory holding {@code bucket}'s objects */
    Path bucketDirectory(String bucket) throws IOException {
        Path dir = directory.resolve(bucket);
        if (!Files.isDirectory(dir)) {
            throw new IOException("S3Proxy keeps no directory " + dir);
        }
        return dir;
    }
}
