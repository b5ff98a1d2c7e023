package io.pgvault.storage.s3;

import io.pgvault.testkit.s3.S3ProxyServer;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** Repository settings and plain SDK clients for the testkit's plain-HTTP {@link S3ProxyServer}. */
final class S3ProxyConfigs {
    private S3ProxyConfigs() {
    }

    /** @return settings for {@code bucket} on {@code server}, creating it when opened, with the smallest parts */
    static S3RepositoryConfig.Builder config(S3ProxyServer server, String bucket) {
        return S3RepositoryConfig.builder(bucket)
                .endpoint(server.endpoint())
                .pathStyle(true)
                .region(S3ProxyServer.REGION)
                .credentials(S3Credentials.ofStatic(server.accessKey(), server.secretKey()))
                .partSize(S3RepositoryConfig.MIN_PART_SIZE)
                .createBucket(true);
    }

    /** @return a plain SDK client of {@code server}, to look behind the repository's back */
    static S3Client client(S3ProxyServer server) {
        return S3Client.builder().endpointOverride(server.endpoint()).forcePathStyle(true)
                .region(Region.of(S3ProxyServer.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(server.accessKey(), server.secretKey().reveal())))
                .build();
    }
}
