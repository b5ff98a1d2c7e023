package io.pgvault.storage.s3;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.RepositoryException;

import java.util.Objects;

/**
 * An S3 request failed, classified by {@link #reason()} so that a host can tell wrong settings (credentials, bucket,
 * permissions: retrying cannot help) from passing trouble (network, throttling, timeouts).
 *
 * @since 0.1.0
 */
public class S3RepositoryException extends RepositoryException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** Why the request failed. */
    private final Reason reason;

    /**
     * @param reason  why it failed
     * @param message what failed, naming the repository and key; never a secret
     * @param cause   the SDK's exception, or null
     * @since 0.1.0
     */
    public S3RepositoryException(Reason reason, String message, Throwable cause) {
        super(Objects.requireNonNull(reason, "reason").code, message, cause);
        this.reason = reason;
    }

    /**
     * @return why the request failed
     * @since 0.1.0
     */
    public Reason reason() {
        return reason;
    }

    /**
     * Classes of S3 failures.
     *
     * @since 0.1.0
     */
    public enum Reason {
        /** The credentials are unknown, malformed, expired or cannot be loaded. */
        CREDENTIALS_REJECTED(ErrorCode.CONFIGURATION),
        /** The credentials are valid but lack a permission (or a bucket policy forbids the request). */
        ACCESS_DENIED(ErrorCode.CONFIGURATION),
        /** The bucket does not exist. */
        BUCKET_NOT_FOUND(ErrorCode.CONFIGURATION),
        /** The object is larger than part size × 10,000 parts allow. */
        OBJECT_TOO_LARGE(ErrorCode.CONFIGURATION),
        /** A request timed out. */
        TIMEOUT(ErrorCode.TIMEOUT),
        /** The calling thread was interrupted. */
        INTERRUPTED(ErrorCode.INTERRUPTED),
        /**
         * The server's TLS certificate was not trusted, or does not name the endpoint's host: see
         * {@link S3RepositoryConfig#caFile()}.
         */
        CERTIFICATE_REJECTED(ErrorCode.CONFIGURATION),
        /** The endpoint could not be reached or the connection broke. */
        NETWORK(ErrorCode.REPOSITORY),
        /**
         * The object is in an archive storage class (Glacier Flexible Retrieval, Deep Archive; S3 answers 403
         * {@code InvalidObjectState}): it must be restored from the archive (RestoreObject) before it can be read.
         *
         * @since 0.5.0
         */
        ARCHIVED(ErrorCode.ARCHIVED),
        /**
         * Archived objects were still being restored from the archive when the wait for them ended: see
         * {@link ArchiveRetrievalTimeoutException}. Running the same read again later is safe and may succeed.
         *
         * @since 0.6.0
         */
        ARCHIVE_RETRIEVAL_PENDING(ErrorCode.TIMEOUT),
        /**
         * The store accepted a retrieval from the archive but never reports its progress (HeadObject without
         * {@code x-amz-restore}), so nobody can tell when the object is readable: retrieve it by hand, then read again.
         *
         * @since 0.6.0
         */
        ARCHIVE_RESTORE_UNREPORTED(ErrorCode.ARCHIVED),
        /** The service refused or failed the request for another reason. */
        SERVICE(ErrorCode.REPOSITORY);

        private final ErrorCode code;

        Reason(ErrorCode code) {
            this.code = code;
        }

        /** @return the error code exceptions of this reason carry */
        public ErrorCode code() {
            return code;
        }
    }
}
