package io.pgvault.storage.gdrive;

import io.pgvault.storage.gdrive.GoogleDriveRepositoryException.Reason;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * What a repository uploaded in the last 24 hours, and whether Drive's daily upload limit seems used up: the limit
 * arrives as a plain rate limit (403 {@code userRateLimitExceeded} "User rate limit exceeded."), so it must be
 * inferred. Rules, applied to rate-limit answers to upload chunks only:
 * <ul>
 *   <li>after at least 90% of {@link GoogleDriveRepositoryConfig#uploadLimitPerDay()} went up within 24 hours, the
 *       first such answer is the limit (no backoff);</li>
 *   <li>a chunk refused on every attempt of the usual backoff, for at least {@link #RATE_LIMIT_PATIENCE}, is the
 *       limit (until then the chunk keeps being retried, past {@code maxAttempts} if need be);</li>
 *   <li>once the limit was met, the next chunks get one attempt each (a probe) until one goes through, or for
 *       {@link #LIMIT_MET_EXPIRY} at most.</li>
 * </ul>
 * Hourly buckets keep the memory constant. Thread-safe.
 */
final class UploadBudget {
    /**
     * How long a chunk must have been refused with rate limits before rule 2 takes it for the daily upload limit: 100
     * seconds. Drive's per-user request quotas are counted per minute (formerly per 100 seconds), so a rate limit that
     * lasts longer is not one of those; full-jitter backoff from 0 can spend all {@code maxAttempts} in a second.
     */
    static final Duration RATE_LIMIT_PATIENCE = Duration.ofSeconds(100);
    /**
     * How long rule 3 (one attempt per chunk) lasts after the limit was met, if no chunk went through meanwhile: one
     * hour. The quota frees up as the uploads of 24 hours ago age out; afterwards a chunk gets the full backoff again.
     */
    static final Duration LIMIT_MET_EXPIRY = Duration.ofHours(1);
    private static final int HOURS = 24;

    private final long limitPerDay;
    private final Clock clock;
    private final long[] bytes = new long[HOURS];
    private final long[] hourOf = new long[HOURS];
    /** When a put last stopped at the limit, while no chunk went through since; null otherwise (or expired). */
    private Instant limitMet;

    UploadBudget(long limitPerDay, Clock clock) {
        this.limitPerDay = limitPerDay;
        this.clock = clock;
    }

    /** Bytes Drive acknowledged: they count against the day's limit; the limit is evidently not met. */
    synchronized void uploaded(long count) {
        long hour = clock.instant().getEpochSecond() / 3600;
        int slot = (int) (hour % HOURS);
        if (hourOf[slot] != hour) {
            hourOf[slot] = hour;
            bytes[slot] = 0;
        }
        bytes[slot] += count;
        if (count > 0) {
            limitMet = null;
        }
    }

    /** @return bytes acknowledged in the last 24 hours (to the hour) */
    synchronized long lastDay() {
        long hour = clock.instant().getEpochSecond() / 3600;
        long total = 0;
        for (int i = 0; i < HOURS; i++) {
            if (hour - hourOf[i] < HOURS) {
                total += bytes[i];
            }
        }
        return total;
    }

    /** @return the time on the repository's clock */
    Instant now() {
        return clock.instant();
    }

    /**
     * @param refusals how many times in a row Drive answered this chunk with a rate limit
     * @param attempts the attempts a chunk is allowed
     * @param waited   since the first of those refusals
     * @return why the daily upload limit is taken as met, or null to keep retrying
     */
    synchronized String limitReached(int refusals, int attempts, Duration waited) {
        long lastDay = lastDay();
        if (lastDay * 10 >= limitPerDay * 9) {
            return "this repository uploaded " + size(lastDay) + " in the last 24 hours, at least 90% of "
                    + "uploadLimitPerDay (" + size(limitPerDay) + "), and Drive now rate-limits its uploads";
        }
        if (limitMet != null && clock.instant().isAfter(limitMet.plus(LIMIT_MET_EXPIRY))) {
            limitMet = null;
        }
        if (limitMet != null) {
            return "a put stopped at the limit at " + limitMet + ", and Drive still rate-limits uploads";
        }
        if (refusals >= attempts && waited.compareTo(RATE_LIMIT_PATIENCE) >= 0) {
            return "Drive rate-limited this upload on every one of " + refusals + " attempts over "
                    + waited.toSeconds() + " s";
        }
        return null;
    }

    /** A put stopped at the limit: probe with single attempts until bytes go through again. */
    synchronized void limitMet() {
        if (limitMet == null) {
            limitMet = clock.instant();
        }
    }

    static GoogleDriveRepositoryException failure(String action, String why, Throwable cause) {
        return new GoogleDriveRepositoryException(Reason.UPLOAD_LIMIT_EXCEEDED, action + ": Drive's daily upload "
                + "limit (750 GB per user in 24 hours) seems used up: " + why + ". Drive reports that limit as a rate "
                + "limit (" + DriveErrors.detail(cause) + "), so the put stops instead of retrying; nothing was "
                + "stored. Retrying cannot help until the quota resets (up to 24 hours after the uploads that used "
                + "it): spread large uploads over several days, or upload with another account (another service "
                + "account, or OAuth credentials of another user)", cause);
    }

    static String size(long bytes) {
        if (bytes >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.1f GB", bytes / 1e9);
        }
        if (bytes >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
        }
        return bytes + " bytes";
    }
}
