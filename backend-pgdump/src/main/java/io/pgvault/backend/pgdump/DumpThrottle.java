package io.pgvault.backend.pgdump;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;

/**
 * Pauses a directory dump's pg_dump while its uploads are backlogged and resumes it when they catch up, from its own
 * thread, for as long as pg_dump runs ({@link DirectoryUploads#awaitPauseChange}, {@link DumpPause}). Where pg_dump
 * cannot be paused (its processes are not visible here, or may not be signalled), scratch is bounded only by how
 * fast the uploads keep up, and a warning says so.
 */
final class DumpThrottle {
    private static final Logger LOG = LoggerFactory.getLogger(DumpThrottle.class);

    private final DirectoryUploads uploads;
    private final ProcessRunner runner;
    private final ToolProcess pgDump;
    private final Duration timeout;
    private final String database;
    private final Thread thread;
    private volatile int pauses;

    private DumpThrottle(DirectoryUploads uploads, ProcessRunner runner, ToolProcess pgDump, Duration timeout,
            String database) {
        this.uploads = uploads;
        this.runner = runner;
        this.pgDump = pgDump;
        this.timeout = timeout;
        this.database = database;
        this.thread = new Thread(this::run, "pgdump-throttle");
        thread.setDaemon(true);
    }

    /**
     * @param uploads  whose backlog decides
     * @param runner   how pg_dump was started
     * @param pgDump   the running pg_dump
     * @param timeout  pg_dump's time limit
     * @param database for messages
     * @return the throttle, running until {@link DirectoryUploads#toolExited()} or a failure
     */
    static DumpThrottle start(DirectoryUploads uploads, ProcessRunner runner, ToolProcess pgDump, Duration timeout,
            String database) {
        DumpThrottle t = new DumpThrottle(uploads, runner, pgDump, timeout, database);
        t.thread.start();
        return t;
    }

    /** Waits until it has ended, with pg_dump resumed. */
    void join() {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PgVaultException(ErrorCode.INTERRUPTED, "interrupted while ending the pauses of pg_dump", e);
        }
    }

    /** @return how many times pg_dump was paused */
    int pauses() {
        return pauses;
    }

    private void run() {
        DumpPause pause = null;
        boolean paused = false;
        try {
            while (true) {
                Optional<Boolean> wish = uploads.awaitPauseChange(paused);
                if (wish.isEmpty()) {
                    return;
                }
                if (!wish.get()) {
                    if (!pause.resume()) {
                        // the helper resumes it on its way out, below. A pg_dump that had already exited when it
                        // was paused (the signal reaches a process not yet reaped) is gone by now: nothing to say
                        if (pgDump.isAlive()) {
                            LOG.warn("pg_dump of database '{}' could not be resumed; ending its pauses", database);
                        }
                        return;
                    }
                    paused = false;
                    continue;
                }
                if (pause == null) {
                    pause = DumpPause.start(runner, pgDump, timeout).orElse(null);
                }
                if (pause == null || !pause.pause()) {
                    if (pgDump.isAlive()) {
                        LOG.warn("pg_dump of database '{}' cannot be paused ({}): files it finishes faster than they"
                                + " are sent wait in scratch", database, pause == null
                                        ? "its leader process is not visible" : "the signal was refused");
                    }
                    return;
                }
                paused = true;
                pauses++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("pausing pg_dump of database '{}' failed; it runs on unpaused", database, e);
        } finally {
            if (pause != null) {
                pause.close();
            }
        }
    }
}
