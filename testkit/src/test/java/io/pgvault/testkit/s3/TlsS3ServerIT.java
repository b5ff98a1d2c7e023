package io.pgvault.testkit.s3;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TlsS3ServerIT {

    @RegisterExtension
    static TlsS3ServerFixture s3 = TlsS3ServerFixture.create();

    @Test
    @DisplayName("the SDK stores and reads an object over HTTPS to localhost, trusting only the exported PEM")
    void roundTripTrustingThePem() throws Exception {
        TlsS3Server server = s3.server();
        String bucket = TlsS3Server.uniqueBucket("roundtrip");
        server.createBucket(bucket);
        assertThat(server.endpoint().getScheme()).isEqualTo("https");
        assertThat(server.endpoint().getHost()).isEqualTo("localhost");

        try (S3Client client = client(server, server.endpoint(), trustManagersFrom(server.caFile()))) {
            client.putObject(b -> b.bucket(bucket).key("a/b.txt"), RequestBody.fromString("hello over tls"));
            assertThat(client.getObjectAsBytes(b -> b.bucket(bucket).key("a/b.txt")).asUtf8String())
                    .isEqualTo("hello over tls");
        }
        assertThat(server.storedBytes()).isPositive();
    }

    @Test
    @DisplayName("the certificate names localhost and 127.0.0.1, and the PEM is readable by other users")
    void certificate() throws Exception {
        TlsS3Server server = s3.server();
        X509Certificate cert = server.certificate();
        assertThat(cert.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
        assertThat(cert.getSubjectAlternativeNames().stream().map(san -> String.valueOf(san.get(1))))
                .containsExactlyInAnyOrder("localhost", "127.0.0.1");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.caFile())))
                .isEqualTo("rw-r--r--");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.caFile().getParent())))
                .isEqualTo("rwxr-xr-x");
        assertThat(Files.readString(server.caFile())).startsWith("-----BEGIN CERTIFICATE-----\n");
    }

    @Test
    @DisplayName("a client that does not trust the certificate fails the TLS handshake")
    void untrustedClientFails() {
        TlsS3Server server = s3.server();
        HttpClient jdk = HttpClient.newHttpClient();
        assertThatThrownBy(() -> jdk.send(HttpRequest.newBuilder(server.endpoint()).build(),
                HttpResponse.BodyHandlers.discarding()))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    @DisplayName("sslContext() trusts the server for the JDK's HTTP client; unsigned requests are refused by S3")
    void sslContext() throws Exception {
        TlsS3Server server = s3.server();
        HttpClient jdk = HttpClient.newBuilder().sslContext(server.sslContext()).build();
        HttpResponse<String> response = jdk.send(HttpRequest.newBuilder(server.endpoint()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(403);
    }

    @Test
    @DisplayName("wrong credentials are rejected")
    void wrongCredentials() throws Exception {
        TlsS3Server server = s3.server();
        String bucket = TlsS3Server.uniqueBucket("creds");
        server.createBucket(bucket);
        try (S3Client client = S3Client.builder().endpointOverride(server.endpoint()).forcePathStyle(true)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(server.accessKey(), "not-the-secret")))
                .httpClientBuilder(ApacheHttpClient.builder()
                        .tlsTrustManagersProvider(() -> trustManagersFrom(server.caFile())))
                .build()) {
            assertThatThrownBy(() -> client.listObjectsV2(b -> b.bucket(bucket)))
                    .isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
                    });
        }
    }

    @Test
    @DisplayName("stop() refuses connections; restart() serves the same objects on the same port")
    void stopAndRestart() throws Exception {
        try (TlsS3Server own = TlsS3Server.start()) {
            String bucket = TlsS3Server.uniqueBucket("outage");
            own.createBucket(bucket);
            int port = own.port();
            try (S3Client client = client(own, own.endpoint(), trustManagersFrom(own.caFile()))) {
                client.putObject(b -> b.bucket(bucket).key("kept"), RequestBody.fromString("still here"));

                own.stop();
                assertThat(own.isRunning()).isFalse();
                assertThatThrownBy(() -> client.headBucket(b -> b.bucket(bucket)))
                        .isInstanceOf(SdkClientException.class)
                        .hasRootCauseInstanceOf(ConnectException.class);

                own.restart();
                assertThat(own.port()).isEqualTo(port);
                assertThat(client.getObjectAsBytes(b -> b.bucket(bucket).key("kept")).asUtf8String())
                        .isEqualTo("still here");
            }
            Path directory = own.caFile().getParent();
            own.close();
            assertThat(directory).doesNotExist();
        }
    }

    @Test
    @DisplayName("an in-memory server works alike and has no storage directory")
    void inMemory() throws Exception {
        try (TlsS3Server own = TlsS3Server.builder().inMemory(true).start()) {
            own.createBucket("memory");
            assertThat(own.storage()).isEmpty();
            try (S3Client client = client(own, own.endpoint(), trustManagersFrom(own.caFile()))) {
                client.putObject(b -> b.bucket("memory").key("k"), RequestBody.fromString("v"));
                assertThat(client.listObjectsV2(b -> b.bucket("memory")).contents()).hasSize(1);
            }
        }
    }

    private static S3Client client(TlsS3Server server, URI endpoint, javax.net.ssl.TrustManager[] trust) {
        return S3Client.builder().endpointOverride(endpoint).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(server.accessKey(), server.secretKey().reveal())))
                .httpClientBuilder(ApacheHttpClient.builder().tlsTrustManagersProvider(() -> trust))
                .build();
    }

    /** Reads the PEM as a client would, not through the server's own objects. */
    private static javax.net.ssl.TrustManager[] trustManagersFrom(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            List<? extends java.security.cert.Certificate> certs = List.copyOf(
                    CertificateFactory.getInstance("X.509").generateCertificates(in));
            for (int i = 0; i < certs.size(); i++) {
                store.setCertificateEntry("ca" + i, certs.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + pem + ": " + e, e);
        }
    }
}
