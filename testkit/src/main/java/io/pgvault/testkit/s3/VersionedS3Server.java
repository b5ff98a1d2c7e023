package io.pgvault.testkit.s3;

import io.pgvault.testkit.Directories;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * An S3 server with bucket versioning, on loopback over HTTPS: Adobe's S3Mock (a Spring Boot application) run from
 * its executable jar in a child JVM, serving the same kind of self-signed {@code localhost} certificate as
 * {@link TlsS3Server}. S3Proxy keeps no object versions; this one does (PutBucketVersioning, a new version per
 * PutObject, ListObjectVersions, GetObject by versionId), which is what pgBackRest's {@code --repo-target-time} reads.
 * It checks no signatures (any keys are accepted) and supports only path-style requests.
 *
 * <p>Known divergence from S3: a delete marker carries the modification time of the version it hides, not the time
 * of the deletion, so "the bucket as it was before the objects were deleted" cannot be reproduced with it; "before
 * they were overwritten" can ({@link #overwriteAll}).
 *
 * <p>The jar is what {@code scripts/install-packages} copies from Maven Central to
 * {@code $PGVAULT_TOOLS/s3mock-}{@value #VERSION}{@code .jar} (default {@code ~/.cache/pgvault});
 * {@link #assumeInstalled()} skips a test, with that reason, where it is missing.
 *
 * @since 0.6.0
 */
public final class VersionedS3Server implements AutoCloseable {
    /**
     * The S3Mock release the install script copies.
     *
     * @since 0.6.0
     */
    public static final String VERSION = "4.11.0";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Pattern KEY = Pattern.compile("<Key>([^<]*)</Key>");
    private static final Pattern TOKEN = Pattern.compile("<NextContinuationToken>([^<]*)</NextContinuationToken>");

    private final Path directory;
    private final SelfSignedCertificate certificate;
    private final Process process;
    private final int port;
    private final HttpClient http;

    private VersionedS3Server(Path directory, SelfSignedCertificate certificate, Process process, int port) {
        this.directory = directory;
        this.certificate = certificate;
        this.process = process;
        this.port = port;
        this.http = HttpClient.newBuilder().sslContext(certificate.sslContext())
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * @return the executable jar, where the install script puts it
     * @since 0.6.0
     */
    public static Path jar() {
        String tools = System.getenv("PGVAULT_TOOLS");
        Path dir = tools != null && !tools.isBlank() ? Path.of(tools)
                : Path.of(System.getProperty("user.home"), ".cache", "pgvault");
        return dir.resolve("s3mock-" + VERSION + ".jar");
    }

    /**
     * Skips the calling test when the jar is missing, saying how to install it.
     *
     * @since 0.6.0
     */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(Files.isRegularFile(jar()), () -> "S3Mock " + VERSION + " is not at " + jar()
                + ": run scripts/install-packages");
    }

    /**
     * Starts a server on a free port and waits until it answers.
     *
     * @return the running server; close it when done
     * @throws IllegalStateException when it does not start, quoting its output
     * @since 0.6.0
     */
    public static VersionedS3Server start() {
        Path directory;
        try {
            directory = Files.createTempDirectory("pgvault-versioned-s3-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            SelfSignedCertificate certificate = SelfSignedCertificate.generate(directory);
            Path store = Files.createDirectory(directory.resolve("store"));
            int port = freePort();
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar().toString())
                    .redirectErrorStream(true).redirectOutput(directory.resolve("s3mock.log").toFile());
            // Spring Boot reads these from the environment: the keystore password stays off the argument list
            builder.environment().put("SERVER_PORT", Integer.toString(port));
            builder.environment().put("HTTP_PORT", "0");
            builder.environment().put("SERVER_SSL_KEY_STORE", "file:" + certificate.keyStore());
            builder.environment().put("SERVER_SSL_KEY_STORE_TYPE", "PKCS12");
            builder.environment().put("SERVER_SSL_KEY_STORE_PASSWORD", certificate.password());
            builder.environment().put("SERVER_SSL_KEY_PASSWORD", certificate.password());
            builder.environment().put("SERVER_SSL_KEY_ALIAS", SelfSignedCertificate.ALIAS);
            builder.environment().put("COM_ADOBE_TESTING_S3MOCK_STORE_ROOT", store.toString());
            builder.environment().put("COM_ADOBE_TESTING_S3MOCK_STORE_RETAIN_FILES_ON_EXIT", "false");
            Process process = builder.start();
            VersionedS3Server server = new VersionedS3Server(directory, certificate, process, port);
            server.awaitReady();
            return server;
        } catch (IOException | RuntimeException e) {
            Directories.deleteRecursively(directory);
            throw e instanceof RuntimeException r ? r : new UncheckedIOException((IOException) e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Mock exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(endpoint().resolve("/"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("interrupted while S3Mock started", e);
            }
            if (System.nanoTime() - deadline > 0) {
                close();
                throw new IllegalStateException("S3Mock did not answer within " + START_TIMEOUT.toSeconds()
                        + " s:\n" + log());
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new IllegalStateException("interrupted while S3Mock started", e);
            }
        }
    }

    private String log() {
        try {
            String text = Files.readString(directory.resolve("s3mock.log"), StandardCharsets.UTF_8);
            return text.length() > 4000 ? "..." + text.substring(text.length() - 4000) : text;
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return {@code https://localhost:PORT}
     * @since 0.6.0
     */
    public URI endpoint() {
        return URI.create("https://localhost:" + port);
    }

    /**
     * @return the server's certificate as PEM, readable by every user: the CA file for clients
     * @since 0.6.0
     */
    public Path caFile() {
        return certificate.pem();
    }

    /**
     * @return a TLS context trusting only this server's certificate
     * @since 0.6.0
     */
    public SSLContext sslContext() {
        return certificate.sslContext();
    }

    /**
     * Creates a bucket with versioning enabled.
     *
     * @param bucket the name
     * @return this server
     * @since 0.6.0
     */
    public VersionedS3Server createVersionedBucket(String bucket) {
        send(HttpRequest.newBuilder(endpoint().resolve("/" + bucket)).PUT(HttpRequest.BodyPublishers.noBody()));
        send(HttpRequest.newBuilder(endpoint().resolve("/" + bucket + "?versioning")).PUT(HttpRequest.BodyPublishers
                .ofString("<VersioningConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                        + "<Status>Enabled</Status></VersioningConfiguration>")));
        String status = send(HttpRequest.newBuilder(endpoint().resolve("/" + bucket + "?versioning")).GET());
        if (!status.contains("<Status>Enabled</Status>")) {
            throw new IllegalStateException("versioning of " + bucket + " is not enabled: " + status);
        }
        return this;
    }

    /**
     * Does what ransomware with the bucket's keys does: writes a new version of every current object under
     * {@code prefix} holding {@code content}, so that only the bucket's past state holds the real bytes.
     *
     * @param bucket  the bucket
     * @param prefix  the key prefix
     * @param content the new bytes of every object
     * @return the keys overwritten
     * @since 0.6.0
     */
    public List<String> overwriteAll(String bucket, String prefix, byte[] content) {
        List<String> keys = keys(bucket, prefix);
        for (String key : keys) {
            send(HttpRequest.newBuilder(endpoint().resolve("/" + bucket + "/" + encodePath(key)))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
        }
        return keys;
    }

    /**
     * @param bucket the bucket
     * @param prefix a key prefix
     * @return the current keys under it
     * @since 0.6.0
     */
    public List<String> keys(String bucket, String prefix) {
        List<String> keys = new ArrayList<>();
        String token = null;
        do {
            String query = "?list-type=2&prefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8)
                    + (token == null ? "" : "&continuation-token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
            String xml = send(HttpRequest.newBuilder(endpoint().resolve("/" + bucket + query)).GET());
            Matcher m = KEY.matcher(xml);
            while (m.find()) {
                keys.add(unescape(m.group(1)));
            }
            Matcher t = TOKEN.matcher(xml);
            token = xml.contains("<IsTruncated>true</IsTruncated>") && t.find() ? unescape(t.group(1)) : null;
        } while (token != null);
        return keys;
    }

    private static String encodePath(String key) {
        StringBuilder b = new StringBuilder();
        for (String segment : key.split("/", -1)) {
            if (b.length() > 0 || key.startsWith("/")) {
                b.append('/');
            }
            b.append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return b.toString();
    }

    private static String unescape(String xml) {
        return xml.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'")
                .replace("&amp;", "&");
    }

    private String send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException(r.request().method() + " " + r.uri() + ": " + r.statusCode() + " "
                        + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Stops the server and removes its store.
     *
     * @since 0.6.0
     */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        Directories.deleteRecursively(directory);
    }

    @Override
    public String toString() {
        return "S3Mock " + VERSION + " at " + endpoint();
    }
}
