package io.pgvault.operations.schedule;

import io.pgvault.operations.ConnectionSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The connection of {@link PostgresAdvisoryGuard} that takes and holds one advisory lock, with timeouts so that a
 * dead or half-open session is noticed: {@code statement_timeout} on the session (the server cancels a stuck
 * statement) and a socket read timeout on the driver ({@link Connection#setNetworkTimeout}; a silent peer). Both are
 * put back before the connection is closed, so a pooled connection returns as it came. Not thread-safe.
 */
final class LockSession implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LockSession.class);
    /** PgJdbc ignores the executor; the JDBC contract wants one. */
    private static final Executor DIRECT = Runnable::run;
    private static final String HOLDS = "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
            + "AND objsubid = 1 AND granted AND pid = pg_backend_pid() "
            + "AND ((classid::bigint << 32) | objid::bigint) = ?)";
    private static final AtomicBoolean WARNED_NO_SOCKET_TIMEOUT = new AtomicBoolean();

    private final Connection connection;
    private final int previousNetworkTimeout;
    private final String previousStatementTimeout;

    private LockSession(Connection connection, int previousNetworkTimeout, String previousStatementTimeout) {
        this.connection = connection;
        this.previousNetworkTimeout = previousNetworkTimeout;
        this.previousStatementTimeout = previousStatementTimeout;
    }

    /**
     * @param source  where to connect
     * @param purpose the session's {@code application_name}
     * @param timeout the session's {@code statement_timeout}; the socket read timeout is half as long again
     * @return the open session
     * @throws SQLException when connecting or setting the timeouts fails (the connection is closed then)
     */
    static LockSession open(ConnectionSource source, String purpose, Duration timeout) throws SQLException {
        Connection c = source.open(purpose);
        try {
            int previousNetwork = -1;
            try {
                previousNetwork = c.getNetworkTimeout();
                c.setNetworkTimeout(DIRECT, Math.toIntExact(socketTimeout(timeout).toMillis()));
            } catch (SQLFeatureNotSupportedException e) {
                if (WARNED_NO_SOCKET_TIMEOUT.compareAndSet(false, true)) {
                    LOG.warn("{} sets no socket timeout on its connections: a half-open lock session goes unnoticed "
                            + "until the operating system gives up on it", source);
                }
            }
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT current_setting('statement_timeout'), set_config('statement_timeout', ?, false)")) {
                st.setString(1, timeout.toMillis() + "ms");
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return new LockSession(c, previousNetwork, rs.getString(1));
                }
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /** @return how long a read on the lock's socket may block: the statement timeout and half of it again */
    static Duration socketTimeout(Duration statementTimeout) {
        return statementTimeout.plus(statementTimeout.dividedBy(2));
    }

    /** @return the result of a one-boolean query with an optional bigint parameter */
    boolean queryBoolean(String sql, Long key) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            if (key != null) {
                st.setLong(1, key);
            }
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** @return whether this session holds the advisory lock {@code key} (granted, not merely waited for) */
    boolean holds(long key) throws SQLException {
        return queryBoolean(HOLDS, key);
    }

    /**
     * Unlocks {@code key} and puts the session's timeouts back, in one round trip, then closes the connection.
     *
     * @return whether the lock was still held
     * @throws SQLException when the session is gone (the connection is closed anyway)
     */
    boolean unlockAndClose(long key) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(
                "SELECT pg_advisory_unlock(?), set_config('statement_timeout', ?, false)")) {
            st.setLong(1, key);
            st.setString(2, previousStatementTimeout);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                boolean held = rs.getBoolean(1);
                restoreNetworkTimeoutAndClose(true);
                return held;
            }
        } catch (SQLException | RuntimeException e) {
            restoreNetworkTimeoutAndClose(false); // the session may still hold the lock: never back to a pool
            throw e;
        }
    }

    /** Puts the session's timeouts back and closes it; never throws. */
    @Override
    public void close() {
        boolean clean = true;
        try (PreparedStatement st = connection.prepareStatement("SELECT set_config('statement_timeout', ?, false)")) {
            st.setString(1, previousStatementTimeout);
            st.executeQuery().close();
        } catch (SQLException e) {
            LOG.debug("resetting statement_timeout of a guard connection failed: {}", e.toString());
            clean = false;
        }
        restoreNetworkTimeoutAndClose(clean);
    }

    /**
     * @param clean whether the session is known to hold no lock and its settings are back; when not, the connection
     *              is aborted, so that a pool never hands out a session holding a job's lock or a short timeout
     */
    private void restoreNetworkTimeoutAndClose(boolean clean) {
        if (!clean) {
            try {
                connection.abort(Runnable::run);
                return;
            } catch (SQLException | RuntimeException e) {
                LOG.debug("aborting a guard connection failed, closing it: {}", e.toString());
            }
        }
        if (previousNetworkTimeout >= 0) {
            try {
                connection.setNetworkTimeout(DIRECT, previousNetworkTimeout);
            } catch (SQLException e) {
                LOG.debug("resetting the network timeout of a guard connection failed: {}", e.toString());
            }
        }
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("closing a guard connection failed: {}", e.toString());
        }
    }
}
