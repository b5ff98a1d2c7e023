package io.pgvault.storage.gdrive;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.RepositoryException;

import java.util.Objects;

/**
 * A Google Drive request failed, classified by {@link #reason()} so that a host can tell wrong settings (credentials,
 * folder, permissions), exhausted quotas (storage full, daily upload limit: retrying soon cannot help) and passing
 * trouble (rate limits, network, server errors) apart. Messages never contain secrets.
 *
 * @since 0.1.0
 */
public class GoogleDriveRepositoryException extends RepositoryException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** Why the request failed. */
    private final Reason reason;

    /**
     * @param reason  why it failed
     * @param message what failed, naming the repository and key; never a secret
     * @param cause   the underlying failure, or null
     * @since 0.1.0
     */
    public GoogleDriveRepositoryException(Reason reason, String message, Throwable cause) {
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
     * @return whether repeating the operation unchanged may succeed; false for quotas, credentials and settings
     * @since 0.1.0
     */
    @Override
    public boolean retryable() {
        return reason.retryable;
    }

    /**
     * Classes of Google Drive failures.
     *
     * @since 0.1.0
     */
    public enum Reason {
        /** The credentials are malformed, invalid, expired or revoked (401, {@code invalid_grant}). */
        CREDENTIALS_REJECTED(ErrorCode.CONFIGURATION, false),
        /** The credentials are valid but may not do this (403 {@code insufficientPermissions} and similar). */
        ACCESS_DENIED(ErrorCode.CONFIGURATION, false),
        /** The root folder, shared drive or a folder of the path does not exist or is not visible. */
        FOLDER_NOT_FOUND(ErrorCode.CONFIGURATION, false),
        /**
         * The repository folder holds subfolders pgvault made with credentials of another Google Cloud project (app
         * properties are private to a project, so their marks are invisible to these credentials): use credentials of
         * the project that wrote the repository.
         *
         * @since 0.6.0
         */
        OTHER_PROJECT(ErrorCode.CONFIGURATION, false),
        /**
         * The Drive's storage is full (403 {@code storageQuotaExceeded}): free space or buy more. A service account
         * writing into a folder shared from someone's My Drive gets this at once: it has no storage of its own.
         */
        STORAGE_QUOTA_EXCEEDED(ErrorCode.REPOSITORY, false),
        /**
         * A folder holds its most items (403 {@code numChildrenInNonRootLimitExceeded}: 500,000 per folder), or a
         * shared drive does ({@code teamDriveFileLimitExceeded}: 400,000): retrying cannot help; prune, or move the
         * repository to a new folder or shared drive.
         *
         * @since 0.5.0
         */
        ITEM_LIMIT_EXCEEDED(ErrorCode.REPOSITORY, false),
        /**
         * A daily quota of the Cloud project is used up (403 {@code dailyLimitExceeded}, {@code quotaExceeded}): retry
         * after it resets. The daily upload limit of a user is {@link #UPLOAD_LIMIT_EXCEEDED}.
         */
        DAILY_LIMIT_EXCEEDED(ErrorCode.REPOSITORY, false),
        /**
         * Drive's daily upload limit (750 GB a user may upload in 24 hours) is used up. Drive reports it as a plain
         * rate limit (403 {@code userRateLimitExceeded} "User rate limit exceeded."), so this is inferred: the rate
         * limit outlasted the usual backoff on an upload, or this repository had already uploaded close to
         * {@link GoogleDriveRepositoryConfig#uploadLimitPerDay()} in the last 24 hours. Not retryable soon: wait until the
         * quota resets (a rolling 24 hours), spread large uploads over several days, or upload with another account.
         *
         * @since 0.6.0
         */
        UPLOAD_LIMIT_EXCEEDED(ErrorCode.REPOSITORY, false),
        /** Rate limits (403 {@code userRateLimitExceeded}/{@code rateLimitExceeded}, 429) outlasted every retry. */
        RATE_LIMITED(ErrorCode.REPOSITORY, true),
        /** The resumable upload session expired or lost bytes already acknowledged; the put can be repeated. */
        UPLOAD_SESSION_LOST(ErrorCode.REPOSITORY, true),
        /** A request timed out. */
        TIMEOUT(ErrorCode.TIMEOUT, true),
        /** The calling thread was interrupted. */
        INTERRUPTED(ErrorCode.INTERRUPTED, true),
        /** The endpoint could not be reached or the connection broke, on every attempt. */
        NETWORK(ErrorCode.REPOSITORY, true),
        /** Drive failed the request (5xx on every attempt) or refused it for another reason. */
        SERVICE(ErrorCode.REPOSITORY, true);

        private final ErrorCode code;
        private final boolean retryable;

        Reason(ErrorCode code, boolean retryable) {
            this.code = code;
            this.retryable = retryable;
        }

        /** @return the error code exceptions of this reason carry */
        public ErrorCode code() {
            return code;
        }

        /** @return whether repeating the operation unchanged may succeed */
        public boolean retryable() {
            return retryable;
        }
    }
}
