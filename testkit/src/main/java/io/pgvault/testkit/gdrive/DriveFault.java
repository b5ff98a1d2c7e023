package io.pgvault.testkit.gdrive;

import java.util.Objects;

/**
 * An error response {@link DriveV3Fake} returns instead of serving a request, in the shape Drive v3 uses:
 * {@code {"error":{"code":N,"message":M,"errors":[{"domain":D,"reason":R,"message":M}]}}} with status {@code N}.
 *
 * @param status  HTTP status
 * @param domain  {@code errors[0].domain}
 * @param reason  {@code errors[0].reason}, e.g. {@code userRateLimitExceeded}
 * @param message human-readable message
 * @since 0.1.0
 */
public record DriveFault(int status, String domain, String reason, String message) {
    /** Validates the components. */
    public DriveFault {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an error status is 4xx or 5xx, was " + status);
        }
    }

    /**
     * @return 403 {@code userRateLimitExceeded}, the per-user quota answer Drive documents (retry with backoff)
     * @since 0.1.0
     */
    public static DriveFault userRateLimitExceeded() {
        return new DriveFault(403, "usageLimits", "userRateLimitExceeded", "User Rate Limit Exceeded");
    }

    /**
     * @return 403 {@code rateLimitExceeded} (retry with backoff)
     * @since 0.1.0
     */
    public static DriveFault rateLimitExceeded() {
        return new DriveFault(403, "usageLimits", "rateLimitExceeded", "Rate Limit Exceeded");
    }

    /**
     * @return 429 {@code rateLimitExceeded}: Too Many Requests (retry with backoff)
     * @since 0.1.0
     */
    public static DriveFault tooManyRequests() {
        return new DriveFault(429, "usageLimits", "rateLimitExceeded", "Rate Limit Exceeded");
    }

    /**
     * @param status 500, 502, 503 or 504
     * @return a server error (retry with backoff)
     * @since 0.1.0
     */
    public static DriveFault serverError(int status) {
        return new DriveFault(status, "global", status == 503 ? "backendError" : "internalError",
                status == 503 ? "Backend Error" : "Internal Error");
    }

    /**
     * @return 403 {@code storageQuotaExceeded}: the Drive is full (retrying cannot help)
     * @since 0.1.0
     */
    public static DriveFault storageQuotaExceeded() {
        return new DriveFault(403, "global", "storageQuotaExceeded", "The user's Drive storage quota has been exceeded.");
    }

    /**
     * @return 403 {@code dailyLimitExceeded}: a project's daily API quota is used up. Not what the daily upload limit
     *         answers: see {@link #uploadLimitExceeded()}
     * @since 0.1.0
     */
    public static DriveFault dailyLimitExceeded() {
        return new DriveFault(403, "usageLimits", "dailyLimitExceeded",
                "Daily Limit Exceeded. The quota will be reset at midnight Pacific Time (PT).");
    }

    /**
     * The answer to an upload beyond the 750 GB a user may upload to Drive in a day: 403 {@code userRateLimitExceeded},
     * the reason of a plain per-user rate limit, with the message {@code User rate limit exceeded.} (what Drive sends,
     * as reported by rclone, which tells it apart by this undocumented message alone).
     *
     * @return 403 {@code userRateLimitExceeded} "User rate limit exceeded."
     * @since 0.6.0
     */
    public static DriveFault uploadLimitExceeded() {
        return new DriveFault(403, "usageLimits", "userRateLimitExceeded", "User rate limit exceeded.");
    }

    /**
     * @return 403 {@code numChildrenInNonRootLimitExceeded}: a folder (other than My Drive's root) holds its most
     *         items, 500,000 in Drive
     * @since 0.6.0
     */
    public static DriveFault folderItemLimitExceeded() {
        return new DriveFault(403, "global", "numChildrenInNonRootLimitExceeded",
                "The limit for this folder's number of children (files and folders) has been exceeded.");
    }

    /**
     * @param id the file
     * @return 403 {@code insufficientFilePermissions}: the caller's role does not allow this on the file
     * @since 0.6.0
     */
    public static DriveFault insufficientFilePermissions(String id) {
        return new DriveFault(403, "global", "insufficientFilePermissions",
                "The user does not have sufficient permissions for file " + id + ".");
    }

    /**
     * @param id a file id
     * @return 404 {@code notFound} for {@code id}
     * @since 0.1.0
     */
    public static DriveFault notFound(String id) {
        return new DriveFault(404, "global", "notFound", "File not found: " + id + ".");
    }
}
