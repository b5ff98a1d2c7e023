package io.pgvault.operations.health;

import io.pgvault.api.ConfigurationException;

import java.time.Duration;
import java.util.Objects;

/**
 * When an age becomes a warning and when it becomes critical.
 *
 * @param warning  ages above this are {@link HealthStatus#WARNING}
 * @param critical ages above this are {@link HealthStatus#CRITICAL}; at least {@code warning}
 * @since 0.2.0
 */
public record Thresholds(Duration warning, Duration critical) {

    /** Checks that both are positive and {@code warning <= critical}. */
    public Thresholds {
        Objects.requireNonNull(warning, "warning");
        Objects.requireNonNull(critical, "critical");
        if (warning.isNegative() || warning.isZero() || critical.compareTo(warning) < 0) {
            throw new ConfigurationException("thresholds need 0 < warning <= critical, were warning " + warning
                    + ", critical " + critical);
        }
    }

    /**
     * @param warning  the warning age
     * @param critical the critical age
     * @return the thresholds
     */
    public static Thresholds of(Duration warning, Duration critical) {
        return new Thresholds(warning, critical);
    }

    /** @return the backup-age default of the deployments pgvault replaces: warning over 24 h, critical over 26 h */
    public static Thresholds backupAgeDefault() {
        return new Thresholds(Duration.ofHours(24), Duration.ofHours(26));
    }

    /** @return the restore-drill default for a monthly drill: warning over 35 days, critical over 45 days */
    public static Thresholds drillAgeDefault() {
        return new Thresholds(Duration.ofDays(35), Duration.ofDays(45));
    }

    /** @return the WAL-archive lag default: warning over 5 minutes, critical over 15 minutes (RPO under 15 min) */
    public static Thresholds archiveLagDefault() {
        return new Thresholds(Duration.ofMinutes(5), Duration.ofMinutes(15));
    }

    /**
     * @param age an age
     * @return OK, WARNING or CRITICAL for it
     */
    public HealthStatus status(Duration age) {
        if (age.compareTo(critical) > 0) {
            return HealthStatus.CRITICAL;
        }
        return age.compareTo(warning) > 0 ? HealthStatus.WARNING : HealthStatus.OK;
    }
}
