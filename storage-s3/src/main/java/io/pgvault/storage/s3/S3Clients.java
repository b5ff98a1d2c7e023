package io.pgvault.storage.s3;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Builds the SDK client an {@link S3Repository} talks through, from its settings. */
final class S3Clients {
    private S3Clients() {
    }

    static S3Client create(S3RepositoryConfig config) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config.credentials()))
                .forcePathStyle(config.pathStyle())
                .httpClientBuilder(ApacheHttpClient.builder()
                        .connectionTimeout(config.connectTimeout())
                        .socketTimeout(config.socketTimeout())
                        .maxConnections(Math.max(50, 4 * config.partsInFlight())))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(config.maxAttempts())
                                .backoffStrategy(BackoffStrategy.exponentialDelay(
                                        config.backoffBase(), config.backoffMax()))
                                .build())
                        .apiCallAttemptTimeout(config.attemptTimeout())
                        .build());
        config.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    static AwsCredentialsProvider credentials(S3Credentials credentials) {
        if (credentials instanceof S3Credentials.Static fixed) {
            AwsCredentials aws = fixed.sessionToken()
                    .<AwsCredentials>map(token -> AwsSessionCredentials.create(fixed.accessKeyId(),
                            fixed.secretAccessKey().reveal(), token.reveal()))
                    .orElseGet(() -> AwsBasicCredentials.create(fixed.accessKeyId(),
                            fixed.secretAccessKey().reveal()));
            return StaticCredentialsProvider.create(aws);
        }
        if (credentials instanceof S3Credentials.Profile profile) {
            return ProfileCredentialsProvider.create(profile.name());
        }
        if (credentials == S3Credentials.Environment.INSTANCE) {
            return EnvironmentVariableCredentialsProvider.create();
        }
        return DefaultCredentialsProvider.builder().build();
    }
}
