package io.pgvault.operations.schedule;

import io.pgvault.operations.ConnectionSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link JobStore} in tables of the guarded database, created on first use:
 * {@code pgvault_job_runs(job text primary key, last_fire timestamptz, outcome text, finished_at timestamptz,
 * message text)} and {@code pgvault_job_claims(job text, fire timestamptz, claimant text, claimed_at timestamptz,
 * primary key (job, fire))}. A claim is an {@code INSERT ... ON CONFLICT DO NOTHING} on the claims' key that also
 * finds no recorded fire at or after it; recording a fire deletes the job's claims of older fires. On a standby
 * (read-only) it can read but neither claim nor record.
 */
final class PostgresJobStore implements JobStore {
    static final String DEFAULT_TABLE = "pgvault_job_runs";
    static final String DEFAULT_CLAIMS_TABLE = "pgvault_job_claims";
    private static final String UNDEFINED_TABLE = "42P01";

    private final ConnectionSource source;
    private final String table;
    private final String claimsTable;
    private volatile boolean created;

    PostgresJobStore(ConnectionSource source, String table, String claimsTable) {
        this.source = Objects.requireNonNull(source, "source");
        this.table = table;
        this.claimsTable = claimsTable;
    }

    @Override
    public Optional<Instant> lastFire(String job) {
        try (Connection c = source.open("pgvault-job-store");
             PreparedStatement st = c.prepareStatement("SELECT last_fire FROM " + table + " WHERE job = ?")) {
            st.setString(1, job);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(rs.getTimestamp(1).toInstant()) : Optional.empty();
            }
        } catch (SQLException e) {
            if (UNDEFINED_TABLE.equals(e.getSQLState())) {
                return Optional.empty();
            }
            throw ConnectionSource.failure("read the job store " + table, source, e);
        }
    }

    @Override
    public void record(JobResult result) {
        try (Connection c = source.open("pgvault-job-store")) {
            ensureTable(c);
            try (PreparedStatement st = c.prepareStatement("INSERT INTO " + table
                    + " AS r (job, last_fire, outcome, finished_at, message) VALUES (?, ?, ?, ?, ?) "
                    + "ON CONFLICT (job) DO UPDATE SET last_fire = EXCLUDED.last_fire, outcome = EXCLUDED.outcome, "
                    + "finished_at = EXCLUDED.finished_at, message = EXCLUDED.message "
                    + "WHERE r.last_fire <= EXCLUDED.last_fire")) {
                st.setString(1, result.job());
                st.setTimestamp(2, Timestamp.from(result.scheduledFor()));
                st.setString(3, result.outcome().name());
                st.setTimestamp(4, Timestamp.from(result.finishedAt()));
                st.setString(5, result.message().length() > 1000 ? result.message().substring(0, 1000)
                        : result.message());
                st.executeUpdate();
            }
            try (PreparedStatement st = c.prepareStatement("DELETE FROM " + claimsTable
                    + " WHERE job = ? AND fire < ?")) {
                st.setString(1, result.job());
                st.setTimestamp(2, Timestamp.from(result.scheduledFor()));
                st.executeUpdate();
            }
        } catch (SQLException e) {
            throw ConnectionSource.failure("record job " + result.job() + " in the job store " + table, source, e);
        }
    }

    @Override
    public boolean claim(String job, Instant fire, String claimant) {
        try (Connection c = source.open("pgvault-job-store")) {
            ensureTable(c);
            try (PreparedStatement st = c.prepareStatement("INSERT INTO " + claimsTable
                    + " (job, fire, claimant, claimed_at) SELECT ?, ?, ?, now() WHERE NOT EXISTS (SELECT 1 FROM "
                    + table + " WHERE job = ? AND last_fire >= ?) AND NOT EXISTS (SELECT 1 FROM " + claimsTable
                    + " WHERE job = ? AND fire > ?) ON CONFLICT (job, fire) DO NOTHING")) {
                Timestamp at = Timestamp.from(fire);
                st.setString(1, job);
                st.setTimestamp(2, at);
                st.setString(3, claimant);
                st.setString(4, job);
                st.setTimestamp(5, at);
                st.setString(6, job);
                st.setTimestamp(7, at);
                return st.executeUpdate() == 1;
            }
        } catch (SQLException e) {
            throw ConnectionSource.failure("claim the fire at " + fire + " of job " + job + " in the job store "
                    + claimsTable, source, e);
        }
    }

    private void ensureTable(Connection c) throws SQLException {
        if (created) {
            return;
        }
        try (Statement st = c.createStatement()) {
            create(st, "CREATE TABLE IF NOT EXISTS " + table + " (job text PRIMARY KEY, last_fire timestamptz NOT "
                    + "NULL, outcome text NOT NULL, finished_at timestamptz NOT NULL, message text)");
            create(st, "CREATE TABLE IF NOT EXISTS " + claimsTable + " (job text NOT NULL, fire timestamptz NOT NULL, "
                    + "claimant text NOT NULL, claimed_at timestamptz NOT NULL, PRIMARY KEY (job, fire))");
        }
        created = true;
    }

    private static void create(Statement st, String ddl) throws SQLException {
        try {
            st.execute(ddl);
        } catch (SQLException e) {
            // two replicas creating it at once: one of them loses the race on the catalog, and the table exists
            if (!"23505".equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) {
                throw e;
            }
        }
    }

    @Override
    public String toString() {
        return "JobStore[tables " + table + ", " + claimsTable + " on " + source + "]";
    }
}
