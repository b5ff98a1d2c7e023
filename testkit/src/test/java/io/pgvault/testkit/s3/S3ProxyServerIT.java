package io.pgvault.testkit.s3;

import io.pgvault.api.Secret;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3ProxyServerIT {

    @RegisterExtension
    static final S3ProxyFixture S3 = S3ProxyFixture.create();

    @Test
    @DisplayName("the SDK creates a bucket and stores an object over HTTP; the bucket is a directory of the storage")
    void roundTrip() {
        S3ProxyServer server = S3.server();
        String bucket = S3ProxyServer.uniqueBucket("plain");
        assertThat(server.endpoint().getScheme()).isEqualTo("http");
        assertThat(server.endpoint().getHost()).isEqualTo("127.0.0.1");
        assertThat(server.accessKey()).isEqualTo(S3ProxyServer.DEFAULT_ACCESS_KEY);

        try (S3Client client = client(server, server.accessKey(), server.secretKey().reveal())) {
            client.createBucket(b -> b.bucket(bucket));
            client.putObject(b -> b.bucket(bucket).key("a/b.txt"), RequestBody.fromString("hello over http"));
            assertThat(client.getObjectAsBytes(b -> b.bucket(bucket).key("a/b.txt")).asUtf8String())
                    .isEqualTo("hello over http");
        }
        assertThat(server.bucketDirectory(bucket)).isDirectory().startsWith(server.storage());
        assertThat(server.storedBytes()).isGreaterThanOrEqualTo("hello over http".length());
        assertThatThrownBy(() -> server.bucketDirectory("no-such-bucket"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no-such-bucket");
    }

    @Test
    @DisplayName("a wrong secret is refused")
    void wrongSecretRefused() {
        S3ProxyServer server = S3.server();
        try (S3Client client = client(server, server.accessKey(), "not-the-secret")) {
            assertThatThrownBy(() -> client.createBucket(b -> b.bucket(S3ProxyServer.uniqueBucket("refused"))))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        }
    }

    @Test
    @DisplayName("a server with its own key pair accepts it; closing stops it and deletes what it stored")
    void ownKeyPairAndClose() throws Exception {
        S3ProxyServer server = S3ProxyServer.start("own-access", Secret.of("own-secret-123"));
        Path storage = server.storage();
        int port = server.endpoint().getPort();
        try (S3Client client = client(server, "own-access", "own-secret-123")) {
            client.createBucket(b -> b.bucket("own"));
        } finally {
            server.close();
        }
        assertThat(Files.exists(storage)).isFalse();
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
        server.close();
    }

    private static S3Client client(S3ProxyServer server, String accessKey, String secretKey) {
        return S3Client.builder().endpointOverride(server.endpoint()).forcePathStyle(true)
                .region(Region.of(S3ProxyServer.REGION))
                .httpClientBuilder(ApacheHttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .build();
    }
}
