package io.pgvault.api.tier;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Which of the primary's backup sets a tier receives. A filter sees every committed set at once, because some
 * choices depend on the others ("the last set of each month"); it must be pure: the same sets and {@code now} give
 * the same selection. Only {@code COMPLETE} sets are ever passed in.
 *
 * <p>Sets a selected DIFF/INCR depends on are added by {@link Tiering}, so a tier never holds a set it cannot
 * restore. Filters compose with {@link #then}: {@code fullsOnly().then(lastOfMonth(zone))} is the last full of each
 * month. The same filters serve a physical mirror (pgBackRest sets mapped to {@link BackupSet}).
 *
 * @since 0.2.0
 */
public interface TierFilter {

    /**
     * @param sets the candidate sets, oldest first (by start time, then id)
     * @param now  the time of the decision (periods that have not ended yet are still open)
     * @return the selected sets, a subset of {@code sets} in the same order
     * @since 0.2.0
     */
    List<BackupSet> select(List<BackupSet> sets, Instant now);

    /**
     * @return a short description for reports, e.g. {@code last of each month (Europe/Berlin)}
     * @since 0.2.0
     */
    String describe();

    /**
     * @param next a filter applied to what this one selects
     * @return the composition: {@code next} chooses among the sets this filter selects
     * @since 0.2.0
     */
    default TierFilter then(TierFilter next) {
        Objects.requireNonNull(next, "next");
        TierFilter first = this;
        return new TierFilter() {
            @Override
            public List<BackupSet> select(List<BackupSet> sets, Instant now) {
                return next.select(first.select(sets, now), now);
            }

            @Override
            public String describe() {
                return first.describe() + ", then " + next.describe();
            }

            @Override
            public String toString() {
                return "TierFilter[" + describe() + "]";
            }
        };
    }

    /**
     * @return every set (the default)
     * @since 0.2.0
     */
    static TierFilter all() {
        return matching("all sets", s -> true);
    }

    /**
     * @return FULL and LOGICAL sets only (sets that need no other to restore)
     * @since 0.2.0
     */
    static TierFilter fullsOnly() {
        return matching("fulls only", s -> s.type() == BackupType.FULL || s.type() == BackupType.LOGICAL);
    }

    /**
     * The month-end copy: of each calendar month in {@code zone}, the newest set, once the month has ended (until
     * then a later set of the same month may still come). Sets are grouped by strategy and source, so each database
     * gets its own month-end set.
     *
     * @param zone the time zone whose calendar defines months
     * @return the filter
     * @since 0.2.0
     */
    static TierFilter lastOfMonth(ZoneId zone) {
        return new CalendarFilter(CalendarFilter.Period.MONTH, zone);
    }

    /**
     * Of each ISO week (Monday to Sunday) in {@code zone}, the newest set, once the week has ended.
     *
     * @param zone the time zone whose calendar defines weeks
     * @return the filter
     * @since 0.2.0
     */
    static TierFilter lastOfWeek(ZoneId zone) {
        return new CalendarFilter(CalendarFilter.Period.WEEK, zone);
    }

    /**
     * @param description what the predicate selects, for reports
     * @param predicate   decides set by set
     * @return a filter selecting the sets the predicate accepts
     * @since 0.2.0
     */
    static TierFilter matching(String description, Predicate<BackupSet> predicate) {
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(predicate, "predicate");
        return new TierFilter() {
            @Override
            public List<BackupSet> select(List<BackupSet> sets, Instant now) {
                return sets.stream().filter(predicate).toList();
            }

            @Override
            public String describe() {
                return description;
            }

            @Override
            public String toString() {
                return "TierFilter[" + description + "]";
            }
        };
    }
}
