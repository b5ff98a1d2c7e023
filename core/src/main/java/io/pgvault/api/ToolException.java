package io.pgvault.api;

import java.util.Optional;

/**
 * An external tool ({@code pg_dump}, {@code psql}, {@code pgbackrest}, ...) was missing, failed, or timed out.
 * Carries the exit code and a redacted tail of its standard error.
 *
 * @since 0.1.0
 */
public class ToolException extends PgVaultException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** The tool's name. */
    private final String tool;
    /** The exit code, or null when the tool did not exit. */
    private final Integer exitCode;
    /** The redacted tail of standard error. */
    private final String stderrTail;

    /**
     * @param code       TOOL_MISSING, TOOL_FAILED or TIMEOUT
     * @param tool       the tool's name
     * @param exitCode   its exit code, or null
     * @param stderrTail the redacted tail of its standard error
     * @param message    what failed, without secrets
     * @param cause      the underlying failure, or null
     */
    public ToolException(ErrorCode code, String tool, Integer exitCode, String stderrTail, String message,
            Throwable cause) {
        super(code, message, cause);
        this.tool = tool;
        this.exitCode = exitCode;
        this.stderrTail = stderrTail == null ? "" : stderrTail;
    }

    /** @return the tool's name, e.g. {@code pg_dump} */
    public String tool() {
        return tool;
    }

    /** @return the exit code, when the tool ran and exited */
    public Optional<Integer> exitCode() {
        return Optional.ofNullable(exitCode);
    }

    /** @return the last lines of the tool's standard error, with secrets redacted */
    public String stderrTail() {
        return stderrTail;
    }
}
