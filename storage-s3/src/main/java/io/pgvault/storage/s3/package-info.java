/**
 * {@link io.pgvault.storage.s3.S3Repository}: a pgvault {@link io.pgvault.spi.Repository} in an Amazon S3 or
 * S3-compatible bucket (MinIO, Backblaze B2, Wasabi, Cloudflare R2), written through the AWS SDK for Java v2 with
 * streaming multipart uploads in bounded memory. Settings are an immutable
 * {@link io.pgvault.storage.s3.S3RepositoryConfig}; failures are
 * {@link io.pgvault.storage.s3.S3RepositoryException}s classified by
 * {@link io.pgvault.storage.s3.S3RepositoryException.Reason}.
 *
 * @since 0.1.0
 */
package io.pgvault.storage.s3;
