package io.pgvault.operations.schedule;

import io.pgvault.operations.ConnectionSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A {@link SingleRunnerGuard} holding a session-level PostgreSQL advisory lock on the backed-up database.
 *
 * <p>For each run it opens a dedicated connection (its {@code application_name} is {@code pgvault-job:<name>}),
 * asks {@code pg_is_in_recovery()} to honour the job's {@link RunOn}, then {@code pg_try_advisory_lock(key)}: when
 * another session holds the key the job is skipped, never waited for. The lock is held for the whole run and
 * released with {@code pg_advisory_unlock} before the connection closes. If the process dies, its session ends and
 * the server releases the lock by itself; nothing has to be cleaned up.
 *
 * <p>The key is {@link #lockKey(String, String)}: the first 8 bytes of SHA-256 over {@code namespace + ":" + job
 * name}, the same in every replica and release. In {@code pg_locks} it shows as {@code locktype = 'advisory'},
 * {@code objsubid = 1}, {@code classid}/{@code objid} the high/low 32 bits.
 *
 * <p>All replicas must point the guard at the same server (the primary): advisory locks are not replicated, and a
 * hot standby grants its own advisory locks independently of the primary's. That is why leader-only jobs check
 * {@code pg_is_in_recovery()} first.
 *
 * @since 0.2.0
 */
public final class PostgresAdvisoryGuard implements SingleRunnerGuard {
    /** The namespace of {@link #of(ConnectionSource)}. */
    public static final String DEFAULT_NAMESPACE = "pgvault";
    private static final Logger LOG = LoggerFactory.getLogger(PostgresAdvisoryGuard.class);
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    private final ConnectionSource source;
    private final String namespace;

    private PostgresAdvisoryGuard(ConnectionSource source, String namespace) {
        this.source = Objects.requireNonNull(source, "source");
        if (namespace == null || !NAMESPACE.matcher(namespace).matches()) {
            throw new io.pgvault.api.ConfigurationException("guard namespace '" + namespace
                    + "' must be 1-100 letters, digits, '.', '_', '-'");
        }
        this.namespace = namespace;
    }

    /**
     * @param source the backed-up database (the primary every replica reaches)
     * @return a guard in the {@value #DEFAULT_NAMESPACE} namespace
     */
    public static PostgresAdvisoryGuard of(ConnectionSource source) {
        return new PostgresAdvisoryGuard(source, DEFAULT_NAMESPACE);
    }

    /**
     * @param source    the backed-up database
     * @param namespace keeps the keys of independent deployments sharing one database apart
     * @return a guard
     */
    public static PostgresAdvisoryGuard of(ConnectionSource source, String namespace) {
        return new PostgresAdvisoryGuard(source, namespace);
    }

    /**
     * @param namespace the guard's namespace
     * @param job       a job name
     * @return the advisory-lock key the guard uses for that job
     */
    public static long lockKey(String namespace, String job) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((namespace + ":" + job).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest, 0, Long.BYTES).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public Lease acquire(Job job) {
        long key = lockKey(namespace, job.name());
        Connection c;
        try {
            c = source.open("pgvault-job:" + job.name());
        } catch (SQLException e) {
            throw ConnectionSource.failure("connect for the lock of job " + job.name(), source, e);
        }
        try {
            boolean inRecovery = queryBoolean(c, "SELECT pg_is_in_recovery()", null);
            if (job.runOn() == RunOn.LEADER_ONLY && inRecovery) {
                return release(c, Lease.Status.WRONG_ROLE, source + " is a standby (in recovery); job "
                        + job.name() + " runs on the leader only");
            }
            if (job.runOn() == RunOn.STANDBY_ONLY && !inRecovery) {
                return release(c, Lease.Status.WRONG_ROLE, source + " is a primary; job " + job.name()
                        + " runs on a standby only");
            }
            if (!queryBoolean(c, "SELECT pg_try_advisory_lock(?)", key)) {
                return release(c, Lease.Status.HELD_ELSEWHERE, "another session holds advisory lock " + key
                        + " of job " + job.name() + " on " + source);
            }
            LOG.debug("job {}: advisory lock {} taken on {}", job.name(), key, source);
            return new Held(c, key, job.name());
        } catch (SQLException e) {
            closeQuietly(c);
            throw ConnectionSource.failure("take the advisory lock of job " + job.name(), source, e);
        }
    }

    private static boolean queryBoolean(Connection c, String sql, Long key) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            if (key != null) {
                st.setLong(1, key);
            }
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static Lease release(Connection c, Lease.Status status, String detail) {
        closeQuietly(c);
        return Lease.of(status, detail);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("closing a guard connection failed: {}", e.toString());
        }
    }

    @Override
    public String toString() {
        return "PostgresAdvisoryGuard[" + source + ", namespace " + namespace + "]";
    }

    /** A granted lease: the lock and its connection. */
    private final class Held implements Lease {
        private final Connection connection;
        private final long key;
        private final String job;
        private boolean closed;

        Held(Connection connection, long key, String job) {
            this.connection = connection;
            this.key = key;
            this.job = job;
        }

        @Override
        public Status status() {
            return Status.ACQUIRED;
        }

        @Override
        public String detail() {
            return "advisory lock " + key + " on " + source;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (!queryBoolean(connection, "SELECT pg_advisory_unlock(?)", key)) {
                    LOG.warn("job {}: advisory lock {} was no longer held when the run ended (session reset?)", job,
                            key);
                }
            } catch (SQLException e) {
                // the session is gone, and with it the lock
                LOG.warn("job {}: could not unlock advisory lock {} on {} ({}); closing the session releases it",
                        job, key, source, e.getMessage());
            } finally {
                closeQuietly(connection);
            }
        }
    }
}
