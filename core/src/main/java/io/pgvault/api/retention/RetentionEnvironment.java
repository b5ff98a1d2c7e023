package io.pgvault.api.retention;

import io.pgvault.api.ConfigurationException;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Retention from environment variables, as the logical-backup shell template reads them. Every variable is optional;
 * blank counts as unset; a count of 0 turns its rule off:
 * <ul>
 * <li>{@code BACKUP_RETENTION_HOURLY}, {@code _DAILY}, {@code _WEEKLY}, {@code _MONTHLY}, {@code _YEARLY} — calendar
 *     tiers ({@link CalendarRetention}), in {@code BACKUP_RETENTION_TIMEZONE} (a zone id, default {@code UTC})</li>
 * <li>{@code BACKUP_RETENTION_LAST} — keep-last N</li>
 * <li>{@code BACKUP_RETENTION_WITHIN} — keep-within: ISO-8601 ({@code P30D}, {@code PT12H}) or {@code 30d},
 *     {@code 12h}, {@code 2w}</li>
 * <li>{@code BACKUP_RETENTION_FULL}, {@code BACKUP_RETENTION_DIFF} — pgBackRest-style counts
 *     ({@link FullChainRetention}); DIFF needs FULL</li>
 * </ul>
 * The rules that are set are combined with {@link AnyOf}. Every invalid value is reported at once.
 *
 * @since 0.1.0
 */
public final class RetentionEnvironment {
    /** Prefix of every variable read. */
    public static final String PREFIX = "BACKUP_RETENTION_";
    private static final String[] TIERS = {"HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"};
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})\\s*([mhdw])");

    private RetentionEnvironment() {
    }

    /**
     * @return the policy the process environment describes, or empty when it sets no retention rule
     * @throws ConfigurationException listing every invalid variable
     * @since 0.1.0
     */
    public static Optional<RetentionPolicy> fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * @param env variables, e.g. {@code System.getenv()}
     * @return the policy they describe, or empty when they set no retention rule
     * @throws ConfigurationException listing every invalid variable
     * @since 0.1.0
     */
    public static Optional<RetentionPolicy> fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        List<String> problems = new ArrayList<>();
        int[] tiers = new int[TIERS.length];
        for (int i = 0; i < TIERS.length; i++) {
            tiers[i] = count(env, TIERS[i], problems);
        }
        ZoneId zone = ZoneOffset.UTC;
        String zoneText = value(env, "TIMEZONE");
        if (zoneText != null) {
            try {
                zone = ZoneId.of(zoneText);
            } catch (DateTimeException e) {
                problems.add(PREFIX + "TIMEZONE='" + zoneText + "' is not a time zone id (e.g. UTC, Europe/Berlin)");
            }
        }
        int last = count(env, "LAST", problems);
        Duration within = duration(env, "WITHIN", problems);
        int full = count(env, "FULL", problems);
        int diff = count(env, "DIFF", problems);
        if (diff > 0 && full <= 0 && value(env, "FULL") != null) {
            problems.add(PREFIX + "DIFF needs " + PREFIX + "FULL above 0");
        } else if (diff > 0 && value(env, "FULL") == null) {
            problems.add(PREFIX + "DIFF is set but " + PREFIX + "FULL is not: differentials are counted on kept fulls");
        }
        ConfigurationException.throwIfAny(problems);

        List<RetentionPolicy> policies = new ArrayList<>();
        if (last > 0) {
            policies.add(new KeepLast(last));
        }
        if (within != null) {
            policies.add(new KeepWithin(within));
        }
        if (tiers[0] > 0 || tiers[1] > 0 || tiers[2] > 0 || tiers[3] > 0 || tiers[4] > 0) {
            policies.add(new CalendarRetention(tiers[0], tiers[1], tiers[2], tiers[3], tiers[4], zone));
        }
        if (full > 0) {
            FullChainRetention.Builder b = FullChainRetention.builder().fulls(full);
            if (diff > 0) {
                b.diffs(diff);
            }
            policies.add(b.build());
        }
        if (policies.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(policies.size() == 1 ? policies.get(0) : new AnyOf(policies));
    }

    private static String value(Map<String, String> env, String name) {
        String v = env.get(PREFIX + name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static int count(Map<String, String> env, String name, List<String> problems) {
        String v = value(env, name);
        if (v == null) {
            return 0;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(PREFIX + name + "='" + v + "' is not a whole number of 0 or more (0 turns the rule off)");
        return 0;
    }

    private static Duration duration(Map<String, String> env, String name, List<String> problems) {
        String v = value(env, name);
        if (v == null) {
            return null;
        }
        Duration d = null;
        Matcher m = SHORT_DURATION.matcher(v.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
        } else {
            try {
                d = Duration.parse(v);
            } catch (DateTimeException e) {
                // reported below
            }
        }
        if (d == null || d.isNegative() || d.isZero()) {
            problems.add(PREFIX + name + "='" + v + "' is not a positive duration (30d, 12h, 2w, 90m or ISO-8601 "
                    + "such as P30D)");
            return null;
        }
        return d;
    }
}
