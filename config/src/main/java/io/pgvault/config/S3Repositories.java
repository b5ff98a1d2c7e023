package io.pgvault.config;

import io.pgvault.config.PgVaultSettings.S3Settings;
import io.pgvault.spi.Repository;
import io.pgvault.storage.s3.ArchiveRetrieval;
import io.pgvault.storage.s3.S3Credentials;
import io.pgvault.storage.s3.S3Repository;
import io.pgvault.storage.s3.S3RepositoryConfig;
import io.pgvault.storage.s3.S3StorageClass;

import java.util.Locale;

/** S3 repositories (pgvault-storage-s3). */
final class S3Repositories {
    private S3Repositories() {
    }

    static S3RepositoryConfig config(S3Settings s, String at) {
        S3RepositoryConfig.Builder b = S3RepositoryConfig.builder(s.bucket()).prefix(s.prefix()).region(s.region())
                .pathStyle(s.pathStyle()).partSize(Math.toIntExact(s.partSize())).partsInFlight(s.partsInFlight())
                .growingParts(s.growingParts()).flexibleChecksums(s.flexibleChecksums())
                .createBucket(s.createBucket()).verifyTls(s.verifyTls()).maxAttempts(s.maxAttempts());
        s.endpoint().ifPresent(b::endpoint);
        s.caFile().ifPresent(b::caFile);
        s.uploadMemory().ifPresent(b::uploadMemory);
        s.archiveRetrieval().ifPresent(r -> b.archiveRetrieval(new ArchiveRetrieval(
                ArchiveRetrieval.Tier.valueOf(r.tier().name()), r.days(), r.pollInterval(), r.timeout())));
        try {
            b.storageClass(S3StorageClass.valueOf(s.storageClass().toUpperCase(Locale.ROOT).replace('-', '_')));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("storage-class '" + s.storageClass() + "' is not an S3 storage class");
        }
        b.credentials(switch (s.credentials()) {
            case DEFAULT -> S3Credentials.defaultChain();
            case ENVIRONMENT -> S3Credentials.environment();
            case PROFILE -> S3Credentials.profile(s.profile().orElseThrow());
            case STATIC -> S3Credentials.ofStatic(s.accessKeyId().orElseThrow(),
                    s.secretAccessKey().orElseThrow().resolve(at + ".secret-access-key"));
        });
        return b.build();
    }

    static Repository open(S3Settings s, String at) {
        return S3Repository.of(config(s, at));
    }
}
