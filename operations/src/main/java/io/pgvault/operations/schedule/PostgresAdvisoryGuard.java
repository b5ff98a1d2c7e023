package io.pgvault.operations.schedule;

import io.pgvault.operations.ConnectionSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * <p><b>A lease, not a hope.</b> The session may end while the job runs (failover, {@code idle_session_timeout}, a
 * pooler, {@code pg_terminate_backend}, a half-open socket), and with it the lock: another replica could then take
 * the job. So while the job runs, a heartbeat asks the lock's own session every {@link #withHeartbeat heartbeat
 * interval} whether it still holds the lock, bounded by the session's {@code statement_timeout} and a socket read
 * timeout; when it does not or cannot answer, the lease is reported lost and the scheduler cancels the run. Lost
 * locks are noticed within one interval when the server ended the session (5 s by default), within interval plus
 * 1.5 timeouts when the connection went silent (20 s). The fire itself is claimed in the {@link JobStore} before it
 * runs, so the replica that takes the lock next does not run it again.
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
    /**
     * The heartbeat interval of {@link #of(ConnectionSource)}, in seconds.
     *
     * @since 0.3.0
     */
    public static final int DEFAULT_HEARTBEAT_SECONDS = 5;
    /**
     * The heartbeat timeout of {@link #of(ConnectionSource)}, in seconds.
     *
     * @since 0.3.0
     */
    public static final int DEFAULT_TIMEOUT_SECONDS = 10;
    private static final Duration MAX_TIMEOUT = Duration.ofHours(1);
    private static final Logger LOG = LoggerFactory.getLogger(PostgresAdvisoryGuard.class);
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9._-]{1,100}");

    private final ConnectionSource source;
    private final String namespace;
    private final Duration interval;
    private final Duration timeout;

    private PostgresAdvisoryGuard(ConnectionSource source, String namespace, Duration interval, Duration timeout) {
        this.source = Objects.requireNonNull(source, "source");
        this.interval = interval;
        this.timeout = timeout;
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
        return new PostgresAdvisoryGuard(source, DEFAULT_NAMESPACE, Duration.ofSeconds(DEFAULT_HEARTBEAT_SECONDS),
                Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS));
    }

    /**
     * @param source    the backed-up database
     * @param namespace keeps the keys of independent deployments sharing one database apart
     * @return a guard
     */
    public static PostgresAdvisoryGuard of(ConnectionSource source, String namespace) {
        return new PostgresAdvisoryGuard(source, namespace, Duration.ofSeconds(DEFAULT_HEARTBEAT_SECONDS),
                Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS));
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

    /**
     * Sets how the lock's session is watched while a job runs.
     *
     * @param interval how often the session that holds the lock is asked whether it still does; default
     *                 {@value #DEFAULT_HEARTBEAT_SECONDS} s
     * @param timeout  the {@code statement_timeout} of that session; its socket read timeout is half as long again,
     *                 so a half-open connection is noticed too; default {@value #DEFAULT_TIMEOUT_SECONDS} s (15 s on
     *                 the socket)
     * @return a guard like this one with those settings
     * @throws io.pgvault.api.ConfigurationException listing every setting out of range
     * @since 0.3.0
     */
    public PostgresAdvisoryGuard withHeartbeat(Duration interval, Duration timeout) {
        List<String> problems = new ArrayList<>();
        if (interval == null || interval.toMillis() < 1) {
            problems.add("heartbeat interval must be at least 1 ms, was " + interval);
        }
        if (timeout == null || timeout.toMillis() < 1 || timeout.compareTo(MAX_TIMEOUT) > 0) {
            problems.add("heartbeat timeout must be from 1 ms to " + MAX_TIMEOUT + ", was " + timeout);
        }
        io.pgvault.api.ConfigurationException.throwIfAny(problems);
        return new PostgresAdvisoryGuard(source, namespace, interval, timeout);
    }

    /**
     * Takes the job's lock if nobody holds it. The returned lease, once {@link Lease#watch watched}, runs a heartbeat
     * on the lock's own session every heartbeat interval: {@code SELECT} from {@code pg_locks} whether this backend
     * ({@code pg_backend_pid()}) still holds the lock, under the session's {@code statement_timeout} and socket
     * timeout. A failed, timed-out or negative answer reports the lease lost.
     *
     * @param job the job about to run
     * @return the lease; {@link Lease.Status#ACQUIRED} holds the lock and its session until closed
     */
    @Override
    public Lease acquire(Job job) {
        long key = lockKey(namespace, job.name());
        LockSession session;
        try {
            session = LockSession.open(source, "pgvault-job:" + job.name(), timeout);
        } catch (SQLException e) {
            throw ConnectionSource.failure("connect for the lock of job " + job.name(), source, e);
        }
        try {
            boolean inRecovery = session.queryBoolean("SELECT pg_is_in_recovery()", null);
            if (job.runOn() == RunOn.LEADER_ONLY && inRecovery) {
                return release(session, Lease.Status.WRONG_ROLE, source + " is a standby (in recovery); job "
                        + job.name() + " runs on the leader only");
            }
            if (job.runOn() == RunOn.STANDBY_ONLY && !inRecovery) {
                return release(session, Lease.Status.WRONG_ROLE, source + " is a primary; job " + job.name()
                        + " runs on a standby only");
            }
            if (!session.queryBoolean("SELECT pg_try_advisory_lock(?)", key)) {
                return release(session, Lease.Status.HELD_ELSEWHERE, "another session holds advisory lock " + key
                        + " of job " + job.name() + " on " + source);
            }
            LOG.debug("job {}: advisory lock {} taken on {}", job.name(), key, source);
            return new AdvisoryLease(session, key, job.name(), source.toString(), interval);
        } catch (SQLException e) {
            session.close();
            throw ConnectionSource.failure("take the advisory lock of job " + job.name(), source, e);
        }
    }

    private static Lease release(LockSession session, Lease.Status status, String detail) {
        session.close();
        return Lease.of(status, detail);
    }

    @Override
    public String toString() {
        return "PostgresAdvisoryGuard[" + source + ", namespace " + namespace + ", heartbeat every " + interval
                + ", timeout " + timeout + "]";
    }
}
