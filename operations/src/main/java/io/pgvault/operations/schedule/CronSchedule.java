package io.pgvault.operations.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.pgvault.api.ConfigurationException;
import io.pgvault.operations.OptionalDependency;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Optional;

/**
 * When a job fires: a cron expression evaluated in a time zone, parsed with cron-utils.
 *
 * <ul>
 *   <li>5 fields — Unix cron: {@code minute hour day-of-month month day-of-week}, e.g. {@code 0 2 * * 0}
 *       (Sundays 02:00);</li>
 *   <li>6 fields — Spring/Quartz with seconds first: {@code second minute hour day-of-month month day-of-week},
 *       e.g. {@code 0 0 2 * * SUN}; Quartz's {@code ?}, {@code L}, {@code W} and {@code #} are accepted;</li>
 *   <li>7 fields — Quartz with a year field.</li>
 * </ul>
 *
 * Immutable and thread-safe.
 *
 * @since 0.2.0
 */
public final class CronSchedule {

    private final String expression;
    private final ZoneId zone;
    private final ExecutionTime times;

    private CronSchedule(String expression, ZoneId zone, ExecutionTime times) {
        this.expression = expression;
        this.zone = zone;
        this.times = times;
    }

    /**
     * @param expression a 5-, 6- or 7-field cron expression
     * @param zone       the zone its hours and days are in (daylight-saving changes as cron-utils handles them)
     * @return the schedule
     * @throws ConfigurationException when the expression is malformed or never fires
     */
    public static CronSchedule parse(String expression, ZoneId zone) {
        // before any cron-utils class is touched: the parsers live in Parsers, initialised on first use
        OptionalDependency.CRON_UTILS.require("cron schedules (Job.builder().cron, CronSchedule.parse)");
        Objects.requireNonNull(zone, "zone");
        if (expression == null || expression.isBlank()) {
            throw new ConfigurationException("cron expression must be set");
        }
        String trimmed = expression.trim().replaceAll("\\s+", " ");
        int fields = trimmed.split(" ").length;
        Cron cron;
        try {
            cron = switch (fields) {
                case 5 -> Parsers.UNIX.parse(trimmed);
                case 6 -> parseSix(trimmed);
                case 7 -> Parsers.QUARTZ.parse(trimmed);
                default -> throw new IllegalArgumentException("has " + fields + " fields; expected 5 (Unix: minute "
                        + "hour day-of-month month day-of-week), 6 (seconds first, Spring/Quartz) or 7 (Quartz with "
                        + "year)");
            };
            cron.validate();
        } catch (RuntimeException e) { // cron-utils reports most problems as IllegalArgumentException, a few otherwise
            throw new ConfigurationException("cron expression '" + trimmed + "' is invalid: " + e.getMessage());
        }
        ExecutionTime times = ExecutionTime.forCron(cron);
        CronSchedule schedule = new CronSchedule(trimmed, zone, times);
        if (schedule.nextAfter(Instant.now()).isEmpty()) {
            throw new ConfigurationException("cron expression '" + trimmed + "' never fires");
        }
        return schedule;
    }

    /**
     * @param expression a 5-, 6- or 7-field cron expression, evaluated in UTC
     * @return the schedule
     * @throws ConfigurationException when the expression is malformed or never fires
     */
    public static CronSchedule parse(String expression) {
        return parse(expression, ZoneId.of("UTC"));
    }

    private static Cron parseSix(String expression) {
        try {
            return Parsers.SPRING.parse(expression);
        } catch (IllegalArgumentException spring) {
            try {
                return Parsers.QUARTZ.parse(expression);
            } catch (IllegalArgumentException quartz) {
                throw spring;
            }
        }
    }

    /**
     * @param after an instant
     * @return the first fire time strictly after it, if the schedule fires again
     */
    public Optional<Instant> nextAfter(Instant after) {
        return times.nextExecution(ZonedDateTime.ofInstant(after, zone)).map(ZonedDateTime::toInstant)
                .filter(t -> t.isAfter(after));
    }

    /**
     * @param now an instant
     * @return the latest fire time at or before it, if the schedule ever fired before
     */
    public Optional<Instant> latestAtOrBefore(Instant now) {
        // fire times are whole seconds, and lastExecution answers strictly before its argument
        Instant bound = now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusSeconds(1);
        return times.lastExecution(ZonedDateTime.ofInstant(bound, zone)).map(ZonedDateTime::toInstant)
                .filter(t -> !t.isAfter(now));
    }

    /** @return the expression, normalised to single spaces */
    public String expression() {
        return expression;
    }

    /** @return the zone it is evaluated in */
    public ZoneId zone() {
        return zone;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CronSchedule other && expression.equals(other.expression) && zone.equals(other.zone);
    }

    @Override
    public int hashCode() {
        return expression.hashCode() * 31 + zone.hashCode();
    }

    @Override
    public String toString() {
        return "cron '" + expression + "' " + zone;
    }

    /** The parsers, apart so that CronSchedule itself initialises without cron-utils (see {@link #parse}). */
    private static final class Parsers {
        static final CronParser UNIX = parser(CronType.UNIX);
        static final CronParser SPRING = parser(CronType.SPRING53);
        static final CronParser QUARTZ = parser(CronType.QUARTZ);

        private Parsers() {
        }

        private static CronParser parser(CronType type) {
            return new CronParser(CronDefinitionBuilder.instanceDefinitionFor(type));
        }
    }
}
