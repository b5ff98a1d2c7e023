package io.pgvault.operations.schedule;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Tells a running task that it must stop, e.g. because the scheduler's {@link SingleRunnerGuard.Lease} was lost and
 * another replica may take the job over.
 *
 * <p>The scheduler cancels a run by interrupting the thread that runs the task. What that stops in pgvault's own
 * work: a thread waiting for a tool ({@code ToolProcess.await()}) kills the tool's process tree and fails with
 * {@code INTERRUPTED}; a repository put fails at its next write or at its completion (a local file's channel closes
 * on interrupt, S3 and Drive uploads stop waiting for their parts) and leaves nothing visible, and a streaming
 * {@code pg_dump} whose output can no longer be stored is killed. What it does not stop: a thread blocked reading a
 * tool's output — a silent {@code pg_dump}, or {@code ProcessRunner.run}, which reads a tool's whole output before it
 * waits (so a running {@code pgbackrest backup} goes on until it ends or its own timeout kills it); the cancellation
 * takes effect at the next interruptible step after that. Such work, and a host's own I/O, can register a hook with
 * {@link #onCancel(Runnable)} or poll {@link #isCancelled()}.
 *
 * @since 0.3.0
 */
public final class Cancellation {
    private static final Logger LOG = LoggerFactory.getLogger(Cancellation.class);

    private final List<Runnable> hooks = new ArrayList<>();
    private String reason;
    private Thread runner;
    private boolean interrupted;

    Cancellation() {
    }

    /**
     * @return a signal nobody cancels, for tasks run outside a scheduler (e.g. in their own tests)
     * @since 0.3.0
     */
    public static Cancellation never() {
        return new Cancellation();
    }

    /**
     * @return whether the run was cancelled
     * @since 0.3.0
     */
    public synchronized boolean isCancelled() {
        return reason != null;
    }

    /**
     * @return why the run was cancelled (never holds a secret), if it was
     * @since 0.3.0
     */
    public synchronized Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    /**
     * Registers work to do when the run is cancelled, e.g. closing a stream the task is blocked on. Hooks run once,
     * on the cancelling thread, before the task's thread is interrupted; a hook registered after the cancellation runs
     * at once. Exceptions of hooks are logged.
     *
     * @param hook what to do
     * @since 0.3.0
     */
    public void onCancel(Runnable hook) {
        Objects.requireNonNull(hook, "hook");
        synchronized (this) {
            if (reason == null) {
                hooks.add(hook);
                return;
            }
        }
        runQuietly(hook);
    }

    /** Interrupts {@code thread} on cancellation until {@link #detach()}. */
    synchronized void attach(Thread thread) {
        runner = thread;
    }

    /**
     * Stops interrupting; clears an interrupt this signal left on the calling (task) thread, so it does not leak into
     * whatever the thread does next.
     */
    void detach() {
        boolean clear;
        synchronized (this) {
            clear = interrupted && runner == Thread.currentThread();
            runner = null;
        }
        if (clear) {
            Thread.interrupted();
        }
    }

    /**
     * Cancels the run: records the reason, runs the hooks, interrupts the task's thread.
     *
     * @param why the reason, without secrets
     * @return whether this call cancelled it (false when it was cancelled before)
     */
    boolean cancel(String why) {
        List<Runnable> toRun;
        synchronized (this) {
            if (reason != null) {
                return false;
            }
            reason = Objects.requireNonNull(why, "why");
            toRun = List.copyOf(hooks);
            hooks.clear();
        }
        toRun.forEach(Cancellation::runQuietly);
        synchronized (this) {
            if (runner != null) {
                interrupted = true;
                runner.interrupt();
            }
        }
        return true;
    }

    private static void runQuietly(Runnable hook) {
        try {
            hook.run();
        } catch (RuntimeException e) {
            LOG.warn("a cancellation hook failed: {}", e.toString(), e);
        }
    }

    @Override
    public synchronized String toString() {
        return reason == null ? "Cancellation[not cancelled]" : "Cancellation[" + reason + "]";
    }
}
