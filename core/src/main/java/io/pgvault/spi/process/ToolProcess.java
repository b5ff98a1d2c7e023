package io.pgvault.spi.process;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.ToolException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running tool: its standard input and output for streaming, standard error drained in the background.
 * {@link #await()} checks the exit code; {@link #close()} kills the process tree if it is still running.
 *
 * @since 0.1.0
 */
public final class ToolProcess implements AutoCloseable {
    private final ToolCommand command;
    private final Process process;
    private final StderrTail stderr;
    private final Thread stderrDrainer;
    private final Redactor redactor;
    private final Instant started;
    private final AtomicBoolean timedOut = new AtomicBoolean();
    private final ScheduledFuture<?> watchdog;
    private final int[] acceptedExitCodes;
    /** Whether a launcher wraps the tool (sudo, ssh, docker exec): it must be asked to stop the tool first. */
    private final boolean wrapped;
    /** How long a tool has to exit after TERM before it is killed. */
    private static final long GRACE_MILLIS = 5000;

    ToolProcess(ToolCommand command, Process process, Redactor redactor, int[] acceptedExitCodes, boolean wrapped,
            StderrListener stderrListener) {
        this.wrapped = wrapped;
        this.command = command;
        this.process = process;
        this.redactor = redactor;
        this.acceptedExitCodes = acceptedExitCodes;
        this.started = Instant.now();
        this.stderr = new StderrTail(command.tool(), redactor, stderrListener);
        this.stderrDrainer = new Thread(() -> stderr.accept(process.getErrorStream()), command.tool() + "-stderr");
        this.stderrDrainer.setDaemon(true);
        this.stderrDrainer.start();
        this.watchdog = Watchdog.schedule(() -> {
            timedOut.set(true);
            killTree();
        }, command.timeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** @return the tool's standard input; close it to signal end of input */
    public OutputStream stdin() {
        return process.getOutputStream();
    }

    /** @return the tool's standard output */
    public InputStream stdout() {
        return process.getInputStream();
    }

    /** @return the command being run */
    public ToolCommand command() {
        return command;
    }

    /** @return whether the process has not exited yet */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * @return the process started: the tool itself, or the launcher's wrapper ({@code runuser}, {@code sudo}) whose
     *         descendants include it
     * @since 0.4.0
     */
    public ProcessHandle toHandle() {
        return process.toHandle();
    }

    /**
     * Waits for the tool to exit and checks its exit code.
     *
     * @return the result
     * @throws ToolException when it exited with an unexpected code or timed out
     */
    public ToolResult await() {
        int exit;
        try {
            exit = process.waitFor();
            stderrDrainer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            killTree();
            Thread.currentThread().interrupt();
            throw new PgVaultException(ErrorCode.INTERRUPTED, "interrupted while waiting for " + command.tool(), e);
        } finally {
            watchdog.cancel(false);
        }
        ToolResult result = new ToolResult(command.tool(), exit, "", stderr.tail(),
                Duration.between(started, Instant.now()));
        if (timedOut.get()) {
            throw new ToolException(ErrorCode.TIMEOUT, command.tool(), exit, result.stderrTail(),
                    command.tool() + " timed out after " + command.timeout() + tailSuffix(result), null);
        }
        for (int ok : acceptedExitCodes) {
            if (ok == exit) {
                return result;
            }
        }
        ErrorCode code = (exit == 126 || exit == 127) ? ErrorCode.TOOL_MISSING : ErrorCode.TOOL_FAILED;
        String what = code == ErrorCode.TOOL_MISSING ? " could not be executed" : " failed";
        throw new ToolException(code, command.tool(), exit, result.stderrTail(),
                command.tool() + what + " with exit code " + exit + tailSuffix(result), null);
    }

    /**
     * Kills the tool and everything it started. A tool started directly is killed at once (KILL: it never sees a
     * clean end of input). A tool started through a wrapper ({@code sudo}, {@code runuser}, {@code ssh},
     * {@code docker exec}) is sent TERM first, which the wrapper relays to a tool this process may not signal itself
     * (another user's, another host's), and KILL after up to five seconds.
     */
    public void killTree() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        if (!wrapped) {
            tree.forEach(ProcessHandle::destroyForcibly);
            return;
        }
        tree.forEach(ProcessHandle::destroy);
        if (!process.isAlive()) {
            Watchdog.schedule(() -> tree.stream().filter(ProcessHandle::isAlive)
                    .forEach(ProcessHandle::destroyForcibly), GRACE_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        try {
            if (!process.waitFor(GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                tree.forEach(ProcessHandle::destroyForcibly);
            }
        } catch (InterruptedException e) {
            tree.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the process tree if it is still running and releases its streams. */
    @Override
    public void close() {
        watchdog.cancel(false);
        if (process.isAlive()) {
            killTree();
        }
        closeQuietly(process.getOutputStream());
        closeQuietly(process.getInputStream());
    }

    private static String tailSuffix(ToolResult r) {
        return r.stderrTail().isEmpty() ? "" : ": " + r.stderrTail();
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException | UncheckedIOException ignored) {
            // the process is gone; nothing to flush
        }
    }

    /** Redacts a message with this command's secrets. */
    String redact(String text) {
        return redactor.redact(text);
    }
}
