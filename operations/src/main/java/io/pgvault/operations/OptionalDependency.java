package io.pgvault.operations;

import io.pgvault.api.ConfigurationException;

/**
 * The optional dependencies of {@code pgvault-operations}, checked where a feature first needs one, so a host without
 * it gets a {@link ConfigurationException} naming the artifact to add instead of a {@code NoClassDefFoundError} (or
 * the JDBC driver manager's "no suitable driver"). A host that uses only health checks and metrics carries neither
 * the PostgreSQL JDBC driver nor cron-utils.
 *
 * @since 0.6.0
 */
public enum OptionalDependency {
    /** {@code org.postgresql:postgresql}: {@link ConnectionSource#of(io.pgvault.api.PgConnection)}, drills. */
    POSTGRESQL_JDBC("org.postgresql.Driver", "org.postgresql:postgresql"),
    /** {@code com.cronutils:cron-utils}: cron schedules of jobs. */
    CRON_UTILS("com.cronutils.parser.CronParser", "com.cronutils:cron-utils");

    private final String probeClass;
    private final String coordinates;

    OptionalDependency(String probeClass, String coordinates) {
        this.probeClass = probeClass;
        this.coordinates = coordinates;
    }

    /** @return the Maven coordinates to add, {@code groupId:artifactId} */
    public String coordinates() {
        return coordinates;
    }

    /** @return whether the dependency is on the class path of pgvault-operations */
    public boolean present() {
        try {
            Class.forName(probeClass, false, OptionalDependency.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * @param feature what needs it, e.g. {@code "cron schedules (Job.builder().cron)"}
     * @throws ConfigurationException naming the missing artifact when it is absent
     */
    public void require(String feature) {
        if (!present()) {
            throw new ConfigurationException(feature + " needs " + coordinates + " on the class path; it is an "
                    + "optional dependency of pgvault-operations (since 0.6.0): add it to your build");
        }
    }
}
