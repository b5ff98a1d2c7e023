package io.pgvault.api.retention;

import io.pgvault.api.BackupSet;
import io.pgvault.api.ConfigurationException;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Calendar tiers (grandfather-father-son) with restic/Kopia semantics: for each tier, walk the valid sets newest
 * first; the newest set of each period is that period's representative; keep the representatives of the newest
 * {@code n} periods that <em>have</em> a set (a period without backups does not use up a slot).
 *
 * <p>Periods are those of the calendar in {@link #zone()}: a day is a local date (23 or 25 hours long on a
 * daylight-saving change), a week is an ISO week (Monday to Sunday, week-based year), a month and a year are local.
 * An hour is a real hour: the repeated hour when clocks go back is two periods, each with its own UTC offset.
 *
 * @param hourly  hourly periods to keep (0 = tier off)
 * @param daily   daily periods to keep
 * @param weekly  weekly periods to keep
 * @param monthly monthly periods to keep
 * @param yearly  yearly periods to keep
 * @param zone    the calendar's time zone
 * @since 0.1.0
 */
public record CalendarRetention(int hourly, int daily, int weekly, int monthly, int yearly, ZoneId zone)
        implements RetentionPolicy {
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:00xxx");
    private static final String[] NAMES = {"hourly", "daily", "weekly", "monthly", "yearly"};

    /** Validates the components (every problem at once). */
    public CalendarRetention {
        List<String> problems = validate(hourly, daily, weekly, monthly, yearly, zone);
        ConfigurationException.throwIfAny(problems);
    }

    /**
     * @return a builder; every tier defaults to 0 (off), the zone to UTC
     * @since 0.1.0
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<Keep> keeps(List<BackupSet> candidates, Instant now) {
        int[] limits = {hourly, daily, weekly, monthly, yearly};
        int[] counts = new int[5];
        long[] last = {Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE, Long.MIN_VALUE};
        int open = 0;
        for (int limit : limits) {
            open += limit > 0 ? 1 : 0;
        }
        List<Keep> keeps = new ArrayList<>();
        for (int i = 0; i < candidates.size() && open > 0; i++) {
            BackupSet set = candidates.get(i);
            ZonedDateTime t = set.startedAt().atZone(zone);
            for (int tier = 0; tier < 5; tier++) {
                if (counts[tier] >= limits[tier]) {
                    continue;
                }
                long key = key(tier, t);
                if (key != last[tier]) {
                    last[tier] = key;
                    counts[tier]++;
                    keeps.add(new Keep(set.id(), NAMES[tier] + " " + counts[tier] + "/" + limits[tier]
                            + ": newest backup of " + label(tier, t) + " (" + zone + ")"));
                    if (counts[tier] == limits[tier]) {
                        open--;
                    }
                }
            }
        }
        return keeps;
    }

    private static long key(int tier, ZonedDateTime t) {
        return switch (tier) {
            case 0 -> t.truncatedTo(ChronoUnit.HOURS).toEpochSecond();
            case 1 -> t.toLocalDate().toEpochDay();
            case 2 -> t.get(IsoFields.WEEK_BASED_YEAR) * 100L + t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
            case 3 -> t.getYear() * 12L + t.getMonthValue();
            default -> t.getYear();
        };
    }

    private static String label(int tier, ZonedDateTime t) {
        return switch (tier) {
            case 0 -> HOUR.format(t.truncatedTo(ChronoUnit.HOURS));
            case 1 -> t.toLocalDate().toString();
            case 2 -> String.format("week %d-W%02d", t.get(IsoFields.WEEK_BASED_YEAR),
                    t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
            case 3 -> String.format("%d-%02d", t.getYear(), t.getMonthValue());
            default -> Integer.toString(t.getYear());
        };
    }

    @Override
    public String describe() {
        StringBuilder b = new StringBuilder("calendar");
        int[] limits = {hourly, daily, weekly, monthly, yearly};
        for (int tier = 0; tier < 5; tier++) {
            if (limits[tier] > 0) {
                b.append(' ').append(NAMES[tier]).append(' ').append(limits[tier]);
            }
        }
        return b.append(" (").append(zone).append(')').toString();
    }

    private static List<String> validate(int hourly, int daily, int weekly, int monthly, int yearly, ZoneId zone) {
        List<String> problems = new ArrayList<>();
        int[] limits = {hourly, daily, weekly, monthly, yearly};
        for (int tier = 0; tier < 5; tier++) {
            if (limits[tier] < 0) {
                problems.add(NAMES[tier] + " must be 0 (off) or more, was " + limits[tier]);
            }
        }
        if (hourly <= 0 && daily <= 0 && weekly <= 0 && monthly <= 0 && yearly <= 0) {
            problems.add("calendar retention needs at least one of hourly, daily, weekly, monthly, yearly above 0");
        }
        if (zone == null) {
            problems.add("zone must not be null");
        }
        return problems;
    }

    /**
     * Builds a {@link CalendarRetention}; {@link #build()} reports every problem at once.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private int hourly;
        private int daily;
        private int weekly;
        private int monthly;
        private int yearly;
        private ZoneId zone = ZoneOffset.UTC;

        private Builder() {
        }

        /** @param n hourly periods to keep; default 0 (off) @return this @since 0.1.0 */
        public Builder hourly(int n) {
            this.hourly = n;
            return this;
        }

        /** @param n daily periods to keep; default 0 (off) @return this @since 0.1.0 */
        public Builder daily(int n) {
            this.daily = n;
            return this;
        }

        /** @param n weekly (ISO week) periods to keep; default 0 (off) @return this @since 0.1.0 */
        public Builder weekly(int n) {
            this.weekly = n;
            return this;
        }

        /** @param n monthly periods to keep; default 0 (off) @return this @since 0.1.0 */
        public Builder monthly(int n) {
            this.monthly = n;
            return this;
        }

        /** @param n yearly periods to keep; default 0 (off) @return this @since 0.1.0 */
        public Builder yearly(int n) {
            this.yearly = n;
            return this;
        }

        /** @param zone the calendar's time zone; default UTC @return this @since 0.1.0 */
        public Builder zone(ZoneId zone) {
            this.zone = zone;
            return this;
        }

        /** @return the policy @since 0.1.0 */
        public CalendarRetention build() {
            ConfigurationException.throwIfAny(validate(hourly, daily, weekly, monthly, yearly, zone));
            return new CalendarRetention(hourly, daily, weekly, monthly, yearly, Objects.requireNonNull(zone));
        }
    }
}
