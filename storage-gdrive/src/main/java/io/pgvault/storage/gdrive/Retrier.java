package io.pgvault.storage.gdrive;

import com.google.api.client.http.HttpResponseException;
import io.pgvault.storage.gdrive.GoogleDriveRepositoryException.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Repeats Drive requests that failed for a passing reason (rate limits, 429, 5xx, broken connections), waiting a
 * "full jitter" exponential backoff between attempts as Google asks clients to: a random delay between 0 and
 * {@code min(max, base × 2^attempt)}, at least what a {@code Retry-After} header asks for.
 */
final class Retrier {
    private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);

    /** One request; may be called again. */
    @FunctionalInterface
    interface Call<T> {
        T run() throws IOException;
    }

    private final int maxAttempts;
    private final Duration base;
    private final Duration max;

    Retrier(int maxAttempts, Duration base, Duration max) {
        this.maxAttempts = maxAttempts;
        this.base = base;
        this.max = max;
    }

    int maxAttempts() {
        return maxAttempts;
    }

    /**
     * @param action what is being done, for messages, e.g. {@code cannot list 'a/' in gdrive:root/pg}
     * @param call   the request
     * @return its result
     * @throws GoogleDriveRepositoryException when it failed for good
     */
    <T> T call(String action, Call<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (IOException e) {
                if (!DriveErrors.transientFailure(e) || attempt >= maxAttempts) {
                    throw failure(action, e, attempt);
                }
                pause(action, attempt, e);
            }
        }
    }

    /** Waits before attempt {@code attempt + 1}; an interrupt ends the wait with an INTERRUPTED failure. */
    void pause(String action, int attempt, Throwable cause) {
        long ceiling = Math.min(max.toMillis(), base.toMillis() << Math.min(attempt, 20));
        long delay = ThreadLocalRandom.current().nextLong(ceiling + 1);
        if (cause instanceof HttpResponseException http && http.getHeaders() != null
                && http.getHeaders().getRetryAfter() != null) {
            try {
                delay = Math.max(delay, Math.min(max.toMillis(),
                        Long.parseLong(http.getHeaders().getRetryAfter().trim()) * 1000));
            } catch (NumberFormatException e) {
                // an HTTP date; the jittered delay will do
            }
        }
        LOG.debug("{}: attempt {} failed ({}); retrying in {} ms", action, attempt, DriveErrors.detail(cause), delay);
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            GoogleDriveRepositoryException interrupted = new GoogleDriveRepositoryException(Reason.INTERRUPTED,
                    action + ": interrupted while waiting to retry", e);
            interrupted.addSuppressed(cause);
            throw interrupted;
        }
    }

    static GoogleDriveRepositoryException failure(String action, Throwable e, int attempts) {
        if (e instanceof GoogleDriveRepositoryException drive) {
            return drive;
        }
        Reason reason = DriveErrors.classify(e);
        String tries = attempts > 1 ? " (after " + attempts + " attempts)" : "";
        String message = switch (reason) {
            case CREDENTIALS_REJECTED -> action + ": the credentials were rejected (invalid, expired or revoked): "
                    + DriveErrors.detail(e);
            case ACCESS_DENIED -> action + ": access denied: " + DriveErrors.detail(e);
            case STORAGE_QUOTA_EXCEEDED -> action + ": the Drive storage quota is exhausted; free space or raise the "
                    + "quota. A service account has no storage of its own: writing into a folder shared from a "
                    + "user's My Drive fails like this from the first byte; use a shared drive the account is a "
                    + "member of (sharedDrive(id)), OAuth user credentials, or domain-wide delegation: "
                    + DriveErrors.detail(e);
            case ITEM_LIMIT_EXCEEDED -> action + ": a Drive folder holds at most 500,000 items and a shared drive "
                    + "400,000, and this one is full; retrying cannot help: prune old sets (a pgBackRest mirror with "
                    + "frequent WAL is the usual cause), or move the repository to a new folder or shared drive: "
                    + DriveErrors.detail(e);
            case DAILY_LIMIT_EXCEEDED -> action + ": a daily quota of the Cloud project is used up; retry after it "
                    + "resets: " + DriveErrors.detail(e);
            case UPLOAD_LIMIT_EXCEEDED -> UploadBudget.failure(action, "Drive says so", e).getMessage();
            case RATE_LIMITED -> action + ": rate-limited by Drive" + tries + "; if this persists the daily upload "
                    + "limit may be reached: " + DriveErrors.detail(e);
            case INTERRUPTED -> action + ": interrupted";
            default -> action + tries + ": " + DriveErrors.detail(e);
        };
        return new GoogleDriveRepositoryException(reason, message, e);
    }
}
