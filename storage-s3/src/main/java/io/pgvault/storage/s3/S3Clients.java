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
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.utils.AttributeMap;

import javax.net.ssl.TrustManager;

/** Builds the SDK client an {@link S3Repository} talks through, from its settings. */
final class S3Clients {
    private S3Clients() {
    }

    static S3Client create(S3RepositoryConfig config) {
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials(config.credentials()))
                .forcePathStyle(config.pathStyle())
                .httpClientBuilder(httpClient(config))
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(config.maxAttempts())
                                .backoffStrategy(BackoffStrategy.exponentialDelay(
                                        config.backoffBase(), config.backoffMax()))
                                .build())
                        .apiCallAttemptTimeout(config.attemptTimeout())
                        .build());
        config.endpoint().ifPresent(builder::endpointOverride);
        if (!config.flexibleChecksums()) { // no x-amz-checksum-* / aws-chunked trailers the store would refuse
            builder.requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation
                    .WHEN_REQUIRED).responseChecksumValidation(software.amazon.awssdk.core.checksums
                    .ResponseChecksumValidation.WHEN_REQUIRED);
        }
        return builder.build();
    }

    /**
     * The Apache HTTP client with the TLS settings: only the CA file's certificates trusted, or (verifyTls off) every
     * certificate and host name accepted, which the SDK offers only as a default attribute of the client.
     */
    private static SdkHttpClient.Builder<?> httpClient(S3RepositoryConfig config) {
        ApacheHttpClient.Builder apache = ApacheHttpClient.builder()
                .connectionTimeout(config.connectTimeout())
                .socketTimeout(config.socketTimeout())
                .maxConnections(Math.max(50, 4 * config.partsInFlight()));
        if (config.caFile().isPresent()) {
            TrustManager[] trusted = CaCertificates.trustManagers(config.caFile().get());
            apache.tlsTrustManagersProvider(() -> trusted);
        }
        if (config.verifyTls()) {
            return apache;
        }
        return new TrustingAll(apache);
    }

    /** Builds the client with TRUST_ALL_CERTIFICATES on top of the SDK's defaults (which would turn it off). */
    private static final class TrustingAll implements SdkHttpClient.Builder<TrustingAll> {
        private static final AttributeMap TRUST_ALL = AttributeMap.builder()
                .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, Boolean.TRUE).build();
        private final ApacheHttpClient.Builder apache;

        TrustingAll(ApacheHttpClient.Builder apache) {
            this.apache = apache;
        }

        @Override
        public SdkHttpClient buildWithDefaults(AttributeMap serviceDefaults) {
            return apache.buildWithDefaults(TRUST_ALL.merge(serviceDefaults));
        }
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
