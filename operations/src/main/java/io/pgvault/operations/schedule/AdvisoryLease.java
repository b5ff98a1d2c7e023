package io.pgvault.operations.schedule;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A granted {@link PostgresAdvisoryGuard} lease: the advisory lock and the session holding it. While watched, a
 * heartbeat asks that same session every {@code interval} whether it still holds the lock; a failed or timed-out
 * query, or a lock no longer granted to the session, means the lease is lost.
 *
 * <p>The heartbeat and {@link #close()} never use the connection at the same time (both hold this object's monitor);
 * the loss is reported outside it, so the listener may block briefly without delaying {@link #close()}.
 */
final class AdvisoryLease implements SingleRunnerGuard.Lease {
    private static final Logger LOG = LoggerFactory.getLogger(AdvisoryLease.class);
    /** Shared by all leases: a heartbeat is one short query. Daemon threads, like the tools' watchdog. */
    private static final ScheduledThreadPoolExecutor HEARTBEATS = heartbeats();

    private final LockSession session;
    private final long key;
    private final String job;
    private final String where;
    private final Duration interval;
    private Consumer<String> onLost;
    private ScheduledFuture<?> heartbeat;
    private boolean lost;
    private boolean closed;

    AdvisoryLease(LockSession session, long key, String job, String where, Duration interval) {
        this.session = session;
        this.key = key;
        this.job = job;
        this.where = where;
        this.interval = interval;
    }

    @Override
    public Status status() {
        return Status.ACQUIRED;
    }

    @Override
    public String detail() {
        return "advisory lock " + key + " on " + where;
    }

    @Override
    public synchronized void watch(Consumer<String> listener) {
        Objects.requireNonNull(listener, "listener");
        if (closed) {
            return;
        }
        if (onLost != null) {
            throw new IllegalStateException("the lease of job " + job + " is already watched");
        }
        onLost = listener;
        heartbeat = HEARTBEATS.scheduleWithFixedDelay(this::beat, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private void beat() {
        String reason;
        Consumer<String> listener;
        synchronized (this) {
            if (closed || lost) {
                return;
            }
            reason = check();
            if (reason == null) {
                return;
            }
            lost = true;
            heartbeat.cancel(false);
            listener = onLost;
        }
        LOG.warn("job {}: lease lost: {}", job, reason);
        try {
            listener.accept(reason);
        } catch (RuntimeException e) {
            LOG.error("job {}: the lease-lost listener failed: {}", job, e.toString(), e);
        }
    }

    /** @return why the lease is lost, or null while the session holds the lock */
    private String check() {
        try {
            return session.holds(key) ? null : "advisory lock " + key + " of job " + job + " is no longer held by "
                    + "its session on " + where + " (was the session reset, or moved by a connection pooler?)";
        } catch (SQLException e) {
            if ("57014".equals(e.getSQLState())) {
                // the statement timed out: the server answered, so the session (and its session-level lock) lives
                LOG.warn("job {}: heartbeat of advisory lock {} on {} timed out on a slow server; the session is "
                        + "alive, so the lock is held", job, key, where);
                return null;
            }
            return "the session holding advisory lock " + key + " of job " + job + " on " + where
                    + " failed its heartbeat: " + (e.getSQLState() == null ? "" : "[" + e.getSQLState() + "] ")
                    + e.getMessage();
        } catch (RuntimeException e) {
            return "the heartbeat of advisory lock " + key + " of job " + job + " on " + where + " failed: " + e;
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        try {
            if (!session.unlockAndClose(key) && !lost) {
                LOG.warn("job {}: advisory lock {} was no longer held when the run ended (session reset?)", job,
                        key);
            }
        } catch (SQLException e) {
            // the session is gone, and with it the lock
            LOG.warn("job {}: could not unlock advisory lock {} on {} ({}); closing the session releases it", job,
                    key, where, e.getMessage());
        }
    }

    private static ScheduledThreadPoolExecutor heartbeats() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "pgvault-lease-heartbeat");
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        return e;
    }

    @Override
    public String toString() {
        return "AdvisoryLease[" + detail() + ", job " + job + "]";
    }
}
