package io.pgvault.testkit.s3;

import io.pgvault.api.Secret;
import io.pgvault.testkit.Directories;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;

/**
 * A real S3 server on loopback that speaks HTTPS only: S3Proxy in-process, with a key pair and self-signed
 * certificate for {@code localhost} generated when it starts, static credentials, and objects kept in a temporary
 * directory (or in memory). Clients trust it through {@link #caFile()} (PEM) or {@link #sslContext()}.
 *
 * <pre>{@code
 * try (TlsS3Server s3 = TlsS3Server.start()) {
 *     s3.createBucket("backups");
 *     // endpoint https://localhost:PORT, path-style, region us-east-1, s3.accessKey() / s3.secretKey(),
 *     // trusting s3.caFile()
 * }
 * }</pre>
 *
 * <p>The certificate names {@code localhost} (DNS) and {@code 127.0.0.1} (IP); {@link #endpoint()} uses
 * {@code localhost} because pgBackRest 2.45 does not match IP addresses against a certificate's IP SANs. pgBackRest
 * never creates buckets: {@link #createBucket(String)} first. {@link #stop()} and {@link #start()} again on the same
 * port simulate an outage; with the default on-disk store the objects survive it. For one server per test class,
 * register a {@link TlsS3ServerFixture}.
 *
 * <p>Needs {@code org.gaul:s3proxy} on the test class path (an optional dependency of the testkit: declare it, without
 * {@code logback-classic}). Thread-safe.
 *
 * @since 0.1.0
 */
public final class TlsS3Server implements AutoCloseable {
    /**
     * The access key id the server accepts unless the builder sets another.
     *
     * @since 0.1.0
     */
    public static final String DEFAULT_ACCESS_KEY = "pgvault-tls-test-access";
    /**
     * The region clients should name; S3Proxy accepts any.
     *
     * @since 0.1.0
     */
    public static final String REGION = "us-east-1";
    /** Host name clients should use: the certificate's DNS name. */
    private static final String HOST = "localhost";
    private static final String DEFAULT_SECRET_KEY = "pgvault-tls-test-secret-4f7a1c93e2";
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private final String accessKey;
    private final Secret secretKey;
    private final Path directory;
    private final Optional<Path> storage;
    private final BlobStore blobStore;
    private final SelfSignedCertificate certificate;
    private S3Proxy proxy;
    private int port;
    private boolean closed;

    private TlsS3Server(Builder builder) throws IOException {
        this.accessKey = builder.accessKey;
        this.secretKey = builder.secretKey;
        this.directory = Files.createTempDirectory("pgvault-tls-s3-");
        try {
            this.certificate = SelfSignedCertificate.generate(directory);
            if (builder.inMemory) {
                this.storage = Optional.empty();
                this.blobStore = new TransientNio2BlobStore();
            } else {
                Path blobs = Files.createDirectory(directory.resolve("blobs"));
                this.storage = Optional.of(blobs);
                this.blobStore = new FilesystemNio2BlobStore(blobs.toString());
            }
        } catch (IOException | RuntimeException e) {
            Directories.deleteRecursively(directory);
            throw e;
        }
    }

    /**
     * Starts a server with the default settings: on-disk store, {@link #DEFAULT_ACCESS_KEY} and a fixed test secret.
     *
     * @return the running server; close it when done
     * @throws IllegalStateException when the server cannot start
     * @since 0.1.0
     */
    public static TlsS3Server start() {
        return builder().start();
    }

    /**
     * @return a builder of a server
     * @since 0.1.0
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param stem a readable part of the name, lower case
     * @return a bucket name no other caller in this JVM gets
     * @since 0.1.0
     */
    public static String uniqueBucket(String stem) {
        return stem + "-" + ProcessHandle.current().pid() + "-" + BUCKETS.incrementAndGet();
    }

    /**
     * Starts the server again after {@link #stop()}, on the same port, with the same certificate and objects (for an
     * on-disk store). Does nothing while it runs.
     *
     * @return this server
     * @throws IllegalStateException when the server was closed or cannot start (e.g. the port was taken meanwhile)
     * @since 0.1.0
     */
    public synchronized TlsS3Server restart() {
        if (closed) {
            throw new IllegalStateException("this S3 server was closed");
        }
        if (proxy != null) {
            return this;
        }
        S3Proxy started = S3Proxy.builder()
                .blobStore(blobStore)
                .secureEndpoint(URI.create("https://127.0.0.1:" + port))
                .keyStore(certificate.keyStore().toString(), certificate.password())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey.reveal())
                .ignoreUnknownHeaders(true)
                .build();
        S3Proxies.start(started, "https://127.0.0.1:" + port);
        proxy = started;
        port = started.getSecurePort();
        return this;
    }

    /**
     * Stops serving (connections are refused) but keeps the certificate, the port number and the objects, so that
     * {@link #restart()} resumes. Does nothing when stopped.
     *
     * @since 0.1.0
     */
    public synchronized void stop() {
        if (proxy != null) {
            S3Proxy running = proxy;
            proxy = null;
            S3Proxies.stop(running);
        }
    }

    /**
     * @return whether the server accepts connections
     * @since 0.1.0
     */
    public synchronized boolean isRunning() {
        return proxy != null;
    }

    /**
     * Stops the server and deletes its certificate and objects.
     *
     * @since 0.1.0
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            stop();
        } finally {
            closed = true;
            Directories.deleteRecursively(directory);
        }
    }

    /**
     * @return {@code https://localhost:PORT}
     * @since 0.1.0
     */
    public URI endpoint() {
        return URI.create("https://" + HOST + ":" + port());
    }

    /**
     * @return {@code localhost}, the host name the certificate is valid for (and pgBackRest's {@code s3-endpoint})
     * @since 0.1.0
     */
    public String host() {
        return HOST;
    }

    /**
     * @return the HTTPS port; unchanged by {@link #stop()} and {@link #restart()}
     * @since 0.1.0
     */
    public synchronized int port() {
        return port;
    }

    /**
     * @return the access key id
     * @since 0.1.0
     */
    public String accessKey() {
        return accessKey;
    }

    /**
     * @return the secret access key
     * @since 0.1.0
     */
    public Secret secretKey() {
        return secretKey;
    }

    /**
     * @return the server's self-signed certificate as a PEM file, readable by every user (it is public): the CA file
     *         clients trust, e.g. pgBackRest's {@code repo1-storage-ca-file}
     * @since 0.1.0
     */
    public Path caFile() {
        return certificate.pem();
    }

    /**
     * @return the server's certificate
     * @since 0.1.0
     */
    public X509Certificate certificate() {
        return certificate.certificate();
    }

    /**
     * @return a TLS context trusting only this server's certificate, for HTTP clients in tests
     * @since 0.1.0
     */
    public SSLContext sslContext() {
        return certificate.sslContext();
    }

    /**
     * Creates a bucket directly in the store (works while the server is stopped too).
     *
     * @param bucket the bucket's name
     * @return this server
     * @since 0.1.0
     */
    public TlsS3Server createBucket(String bucket) {
        Objects.requireNonNull(bucket, "bucket");
        if (!blobStore.containerExists(bucket)) {
            blobStore.createContainer(bucket);
        }
        return this;
    }

    /**
     * @param bucket a bucket's name
     * @return whether it exists
     * @since 0.1.0
     */
    public boolean bucketExists(String bucket) {
        return blobStore.containerExists(bucket);
    }

    /**
     * @return the directory the on-disk store keeps buckets in (one subdirectory each); empty for an in-memory store
     * @since 0.1.0
     */
    public Optional<Path> storage() {
        return storage;
    }

    /**
     * @return the bytes of every file the on-disk store holds; 0 for an in-memory store
     * @since 0.1.0
     */
    public long storedBytes() {
        if (storage.isEmpty()) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(storage.get())) {
            return files.filter(Files::isRegularFile).mapToLong(path -> path.toFile().length()).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "TlsS3Server[" + endpoint() + (isRunning() ? "" : ", stopped") + "]";
    }

    /**
     * Builds a {@link TlsS3Server}; each setter states its default.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private String accessKey = DEFAULT_ACCESS_KEY;
        private Secret secretKey = Secret.of(DEFAULT_SECRET_KEY);
        private boolean inMemory;

        private Builder() {
        }

        /**
         * @param accessKey the access key id the server accepts. Default {@link TlsS3Server#DEFAULT_ACCESS_KEY}
         * @param secretKey its secret. Default a fixed test secret
         * @return this builder
         * @since 0.1.0
         */
        public Builder credentials(String accessKey, Secret secretKey) {
            this.accessKey = Objects.requireNonNull(accessKey, "accessKey");
            this.secretKey = Objects.requireNonNull(secretKey, "secretKey");
            return this;
        }

        /**
         * @param inMemory whether objects live in memory rather than in a temporary directory. Default
         *                 {@code false}: on disk, so they survive {@link TlsS3Server#stop()} and can be inspected
         * @return this builder
         * @since 0.1.0
         */
        public Builder inMemory(boolean inMemory) {
            this.inMemory = inMemory;
            return this;
        }

        /**
         * Generates the certificate and starts the server on a free port.
         *
         * @return the running server; close it when done
         * @throws IllegalStateException when it cannot start
         * @since 0.1.0
         */
        public TlsS3Server start() {
            TlsS3Server server;
            try {
                server = new TlsS3Server(this);
            } catch (IOException e) {
                throw new IllegalStateException("cannot prepare the test S3 server: " + e, e);
            }
            try {
                return server.restart();
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        }
    }
}
