package io.pgvault.spi.process;

/**
 * Reads a tool's standard error line by line as it arrives, for tools that report progress there (such as
 * {@code pg_dump -v}). Given to {@link ProcessRunner#start(ToolCommand, StderrListener, int...)}.
 *
 * <p>The listener runs on the thread that drains standard error. While it blocks, the tool's further output waits
 * in the pipe, and once the pipe is full the tool itself waits on its next write: a listener may block on purpose to
 * hold the tool back, but must stop blocking once the tool has exited, or the exit is only noticed late. A listener
 * that throws is logged once and not called again (its {@link #onEnd()} still is); draining goes on.
 *
 * @since 0.4.0
 */
public interface StderrListener {

    /**
     * Sees one line before it is logged or kept for error messages.
     *
     * @param line the line without its terminator, exactly as the tool wrote it: <em>not redacted</em>, so never log
     *             or quote it as it is
     * @return whether the line was a report meant for this listener: such lines are logged at TRACE only (redacted)
     *         and left out of the stderr tail that {@link io.pgvault.api.ToolException} quotes; {@code false} keeps
     *         the usual treatment (logged at DEBUG, kept in the tail)
     * @since 0.4.0
     */
    boolean onLine(String line);

    /**
     * Called once, on the draining thread, after the last line: standard error reached its end (the tool and
     * everything it started closed it) or could not be read any further.
     *
     * @since 0.4.0
     */
    default void onEnd() {
    }
}
