package io.pgvault.testkit.s3;

import io.pgvault.api.Secret;
import io.pgvault.testkit.Directories;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real S3 server on loopback over plain HTTP: S3Proxy in-process on a free port of {@code 127.0.0.1}, with static
 * credentials, keeping each bucket as a directory under a temporary directory (so a test can look at, damage or move
 * away what a repository stored). Clients use path-style addressing and region {@link #REGION}.
 *
 * <pre>{@code
 * try (S3ProxyServer s3 = S3ProxyServer.start()) {
 *     // endpoint s3.endpoint() (http://127.0.0.1:PORT), path-style, region us-east-1,
 *     // credentials s3.accessKey() / s3.secretKey(); buckets are created by the client
 * }
 * }</pre>
 *
 * <p>For one server per test class register an {@link S3ProxyFixture}; for HTTPS use {@link TlsS3Server}. Needs
 * {@code org.gaul:s3proxy} on the test class path (an optional dependency of the testkit: declare it, without
 * {@code logback-classic}). Thread-safe.
 *
 * @since 0.2.0
 */
public final class S3ProxyServer implements AutoCloseable {
    /**
     * The access key id the server accepts unless {@link #start(String, Secret)} names another.
     *
     * @since 0.2.0
     */
    public static final String DEFAULT_ACCESS_KEY = "pgvault-test-access";
    /**
     * The region clients should name; S3Proxy accepts any.
     *
     * @since 0.2.0
     */
    public static final String REGION = "us-east-1";
    private static final String DEFAULT_SECRET_KEY = "pgvault-test-secret-d0f1c9";
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private final String accessKey;
    private final Secret secretKey;
    private final Path directory;
    private final S3Proxy proxy;
    private final URI endpoint;
    private boolean closed;

    private S3ProxyServer(String accessKey, Secret secretKey) throws IOException {
        this.accessKey = Objects.requireNonNull(accessKey, "accessKey");
        this.secretKey = Objects.requireNonNull(secretKey, "secretKey");
        this.directory = Files.createTempDirectory("pgvault-s3proxy-");
        try {
            this.proxy = S3Proxy.builder()
                    .blobStore(new FilesystemNio2BlobStore(directory.toString()))
                    .endpoint(URI.create("http://127.0.0.1:0"))
                    .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey.reveal())
                    .ignoreUnknownHeaders(true)
                    .build();
            S3Proxies.start(proxy, "http://127.0.0.1 (a free port)");
        } catch (RuntimeException e) {
            Directories.deleteRecursively(directory);
            throw e;
        }
        this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /**
     * Starts a server accepting {@link #DEFAULT_ACCESS_KEY} and a fixed test secret.
     *
     * @return the running server; close it when done
     * @throws IllegalStateException when it cannot start
     * @since 0.2.0
     */
    public static S3ProxyServer start() {
        return start(DEFAULT_ACCESS_KEY, Secret.of(DEFAULT_SECRET_KEY));
    }

    /**
     * Starts a server accepting one key pair.
     *
     * @param accessKey the access key id it accepts
     * @param secretKey its secret
     * @return the running server; close it when done
     * @throws IllegalStateException when it cannot start
     * @since 0.2.0
     */
    public static S3ProxyServer start(String accessKey, Secret secretKey) {
        try {
            return new S3ProxyServer(accessKey, secretKey);
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare the test S3 server: " + e, e);
        }
    }

    /**
     * @param stem a readable part of the name, lower case
     * @return {@code stem-N}, a bucket name no other caller in this JVM gets
     * @since 0.2.0
     */
    public static String uniqueBucket(String stem) {
        return stem + "-" + BUCKETS.incrementAndGet();
    }

    /**
     * @return {@code http://127.0.0.1:PORT}
     * @since 0.2.0
     */
    public URI endpoint() {
        return endpoint;
    }

    /**
     * @return the access key id the server accepts
     * @since 0.2.0
     */
    public String accessKey() {
        return accessKey;
    }

    /**
     * @return the secret access key the server accepts
     * @since 0.2.0
     */
    public Secret secretKey() {
        return secretKey;
    }

    /**
     * @return the directory the server keeps buckets in, one subdirectory each
     * @since 0.2.0
     */
    public Path storage() {
        return directory;
    }

    /**
     * @param bucket a bucket's name
     * @return the directory holding that bucket's objects
     * @throws IllegalStateException when the server keeps no such bucket
     * @since 0.2.0
     */
    public Path bucketDirectory(String bucket) {
        Path dir = directory.resolve(bucket);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("S3Proxy keeps no directory " + dir);
        }
        return dir;
    }

    /**
     * @return the bytes of every file the server stores
     * @since 0.2.0
     */
    public long storedBytes() {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).mapToLong(path -> path.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Stops the server and deletes everything it stored. Does nothing when closed.
     *
     * @since 0.2.0
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            S3Proxies.stop(proxy);
        } finally {
            Directories.deleteRecursively(directory);
        }
    }

    @Override
    public String toString() {
        return "S3ProxyServer[" + endpoint + "]";
    }
}
