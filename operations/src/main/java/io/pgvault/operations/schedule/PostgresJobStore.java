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
 * A {@link JobStore} in a table of the guarded database:
 * {@code pgvault_job_runs(job text primary key, last_fire timestamptz, outcome text, finished_at timestamptz,
 * message text)}, created on first use. On a standby (read-only) it can read but not record.
 */
final class PostgresJobStore implements JobStore {
    static final String DEFAULT_TABLE = "pgvault_job_runs";
    private static final String UNDEFINED_TABLE = "42P01";

    private final ConnectionSource source;
    private final String table;
    private volatile boolean created;

    PostgresJobStore(ConnectionSource source, String table) {
        this.source = Objects.requireNonNull(source, "source");
        this.table = table;
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
        } catch (SQLException e) {
            throw ConnectionSource.failure("record job " + result.job() + " in the job store " + table, source, e);
        }
    }

    private void ensureTable(Connection c) throws SQLException {
        if (created) {
            return;
        }
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + table + " (job text PRIMARY KEY, last_fire timestamptz NOT "
                    + "NULL, outcome text NOT NULL, finished_at timestamptz NOT NULL, message text)");
        } catch (SQLException e) {
            // two replicas creating it at once: one of them loses the race on the catalog, and the table exists
            if (!"23505".equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) {
                throw e;
            }
        }
        created = true;
    }

    @Override
    public String toString() {
        return "JobStore[table " + table + " on " + source + "]";
    }
}
