package io.pgvault.storage.s3;

import io.pgvault.api.ConfigurationException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How an {@link S3Repository} brings objects back from an archive storage class (S3 Glacier Flexible Retrieval, Deep
 * Archive) before they are read: one RestoreObject request per archived object, then polling until every restored
 * copy is readable. Glacier Instant Retrieval and every other class read directly and are left alone.
 * <pre>{@code
 * S3RepositoryConfig.builder("backups")
 *         .archiveRetrieval(ArchiveRetrieval.defaults().withTier(ArchiveRetrieval.Tier.BULK)
 *                 .withTimeout(Duration.ofHours(72)))
 *         .build();
 * }</pre>
 * A retrieval costs money per GB and per request (Expedited most, Bulk least), and the restored copy is billed as
 * Standard storage for {@link #days()} days on top of the archived one.
 *
 * @param tier         how fast (and at what price) S3 restores: default {@link Tier#STANDARD}
 * @param days         how many days S3 keeps the restored copy readable, at least 1: default 3. The first copy
 *                     arrives before the last, so {@code days} × 24 h must exceed {@code timeout} plus
 *                     {@link #READ_MARGIN} (12 h to read the set after the wait): days 1 allows a timeout below 12 h,
 *                     the default 3 one below 60 h
 * @param pollInterval how often the objects still being restored are checked (one HeadObject each): default 1 min
 * @param timeout      how long to wait for every object before giving up with
 *                     {@link ArchiveRetrievalTimeoutException}: default 48 h (Deep Archive with Bulk)
 * @since 0.6.0
 */
public record ArchiveRetrieval(Tier tier, int days, Duration pollInterval, Duration timeout) {
    /**
     * How long a restored copy must still last when the wait ends, for the restore to read the set: 12 hours. Copies
     * that would expire sooner are asked for again (S3 then moves their expiry to now + {@link #days()}).
     *
     * @since 0.6.0
     */
    public static final Duration READ_MARGIN = Duration.ofHours(12);

    /**
     * Validates the settings, reporting every problem at once.
     *
     * @throws ConfigurationException listing every invalid setting
     * @since 0.6.0
     */
    public ArchiveRetrieval {
        List<String> problems = new ArrayList<>();
        if (tier == null) {
            problems.add("archive retrieval tier is required");
        }
        if (days < 1) {
            problems.add("archive retrieval days must be at least 1, was " + days);
        }
        if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
            problems.add("archive retrieval pollInterval must be positive, was " + pollInterval);
        }
        if (timeout == null || timeout.isNegative()) {
            problems.add("archive retrieval timeout must not be negative, was " + timeout);
        } else if (days >= 1 && Duration.ofDays(days).compareTo(timeout.plus(READ_MARGIN)) <= 0) {
            long enough = timeout.plus(READ_MARGIN).toHours() / 24 + 1;
            problems.add("archive retrieval days (" + days + ") must outlast the timeout (" + timeout + ") plus 12 h "
                    + "to read the set afterwards, or the first restored copies expire before the last arrive: days "
                    + "at least " + enough + ", or a shorter timeout");
        }
        ConfigurationException.throwIfAny(problems);
    }

    /**
     * @return Standard tier, restored copies kept 3 days, checked every minute, for at most 48 hours
     * @since 0.6.0
     */
    public static ArchiveRetrieval defaults() {
        return new ArchiveRetrieval(Tier.STANDARD, 3, Duration.ofMinutes(1), Duration.ofHours(48));
    }

    /**
     * @param tier how fast S3 restores
     * @return these settings with {@code tier}
     * @since 0.6.0
     */
    public ArchiveRetrieval withTier(Tier tier) {
        return new ArchiveRetrieval(tier, days, pollInterval, timeout);
    }

    /**
     * @param days how many days S3 keeps the restored copy, at least 1 and more than the timeout plus 12 h (each
     *             {@code with...} validates the whole: when lowering both, shorten the timeout first)
     * @return these settings with {@code days}
     * @since 0.6.0
     */
    public ArchiveRetrieval withDays(int days) {
        return new ArchiveRetrieval(tier, days, pollInterval, timeout);
    }

    /**
     * @param pollInterval how often objects still being restored are checked
     * @return these settings with {@code pollInterval}
     * @since 0.6.0
     */
    public ArchiveRetrieval withPollInterval(Duration pollInterval) {
        return new ArchiveRetrieval(tier, days, pollInterval, timeout);
    }

    /**
     * @param timeout how long to wait for every object; zero sends the requests and fails at once with
     *                {@link ArchiveRetrievalTimeoutException} when any object is not readable yet
     * @return these settings with {@code timeout}
     * @since 0.6.0
     */
    public ArchiveRetrieval withTimeout(Duration timeout) {
        return new ArchiveRetrieval(tier, days, pollInterval, timeout);
    }

    /**
     * S3's retrieval tiers (RestoreObject's {@code GlacierJobParameters.Tier}). Typical times, per AWS: Glacier
     * Flexible Retrieval 1–5 min / 3–5 h / 5–12 h; Deep Archive not Expedited / within 12 h / within 48 h.
     *
     * @since 0.6.0
     */
    public enum Tier {
        /** Hours; the default. */
        STANDARD("Standard"),
        /** Cheapest, slowest. */
        BULK("Bulk"),
        /** Minutes, most expensive; Glacier Flexible Retrieval only, and refused when S3 lacks capacity. */
        EXPEDITED("Expedited");

        private final String wireName;

        Tier(String wireName) {
            this.wireName = wireName;
        }

        /** @return the value S3 expects in {@code <Tier>} */
        String wireName() {
            return wireName;
        }
    }
}
