package io.pgvault.backend.pgbackrest;

/**
 * {@code backup-standby}: whether pgBackRest copies a backup's files from a standby instead of the primary. Backing up
 * from a standby needs the standby configured ({@link PgBackRestConfig.Builder#standby(PgCluster)}, rendered as
 * {@code pg2-*}, ...): the primary still starts and stops the backup, the standby serves the files.
 *
 * @since 0.2.0
 */
public enum BackupStandby {
    /** Back up from the primary only ({@code n}); the default. */
    NO("n", 2, 33),
    /** A standby is required: without a reachable standby the backup fails ({@code y}). */
    YES("y", 2, 33),
    /**
     * Back up from a standby when one is available, otherwise from the primary ({@code prefer}). pgBackRest 2.54 or
     * later; older versions are refused when the configuration is written.
     */
    PREFER("prefer", 2, 54);

    private final String option;
    private final int sinceMajor;
    private final int sinceMinor;

    BackupStandby(String option, int sinceMajor, int sinceMinor) {
        this.option = option;
        this.sinceMajor = sinceMajor;
        this.sinceMinor = sinceMinor;
    }

    /**
     * @return the value pgBackRest expects
     * @since 0.2.0
     */
    public String option() {
        return option;
    }

    /**
     * @return whether a standby is asked for ({@link #YES} or {@link #PREFER})
     * @since 0.2.0
     */
    public boolean usesStandby() {
        return this != NO;
    }

    /**
     * @param version a pgBackRest version
     * @return whether that version accepts this value
     * @since 0.2.0
     */
    public boolean supportedBy(PgBackRestVersion version) {
        return version.atLeast(sinceMajor, sinceMinor);
    }

    /**
     * @return the first pgBackRest version that accepts this value, e.g. {@code 2.54}
     * @since 0.2.0
     */
    public String since() {
        return sinceMajor + "." + sinceMinor;
    }
}
