package io.pgvault.api.tier;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** The newest set of each ended calendar period, per strategy and source. */
final class CalendarFilter implements TierFilter {
    enum Period { MONTH, WEEK }

    private final Period period;
    private final ZoneId zone;

    CalendarFilter(Period period, ZoneId zone) {
        this.period = Objects.requireNonNull(period, "period");
        this.zone = Objects.requireNonNull(zone, "zone");
    }

    @Override
    public List<BackupSet> select(List<BackupSet> sets, Instant now) {
        // newest set per (strategy, source, period start); input is oldest first, so the last one seen wins
        Map<String, BackupSet> newest = new HashMap<>();
        for (BackupSet s : sets) {
            LocalDate start = periodStart(s.startedAt());
            if (!periodEnd(start).isAfter(now)) {
                newest.put(s.strategy() + "\u0000" + s.source() + "\u0000" + start, s);
            }
        }
        Set<BackupId> chosen = new HashSet<>();
        newest.values().forEach(s -> chosen.add(s.id()));
        return sets.stream().filter(s -> chosen.contains(s.id())).toList();
    }

    private LocalDate periodStart(Instant t) {
        LocalDate day = t.atZone(zone).toLocalDate();
        return period == Period.MONTH ? day.withDayOfMonth(1)
                : day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
    }

    private Instant periodEnd(LocalDate start) {
        LocalDate next = period == Period.MONTH ? start.plusMonths(1) : start.plusWeeks(1);
        return next.atStartOfDay(zone).toInstant();
    }

    @Override
    public String describe() {
        return "last of each " + (period == Period.MONTH ? "month" : "ISO week") + " (" + zone + ")";
    }

    @Override
    public String toString() {
        return "TierFilter[" + describe() + "]";
    }
}
