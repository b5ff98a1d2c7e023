package io.pgvault.operations.health;

/**
 * The state of one health check or of a whole report, ordered from best to worst: OK, UNKNOWN, WARNING, CRITICAL.
 *
 * @since 0.2.0
 */
public enum HealthStatus {
    /** Everything within thresholds. */
    OK,
    /** The check could not tell (e.g. the server is unreachable or is a standby). */
    UNKNOWN,
    /** Needs attention soon: a threshold's warning level is passed, or an optional copy failed. */
    WARNING,
    /** Needs attention now: backups too old, archiving failing, no backup at all. */
    CRITICAL;

    /**
     * @param other another status
     * @return the worse of the two
     */
    public HealthStatus worst(HealthStatus other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
