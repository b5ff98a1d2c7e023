package io.pgvault.spi.process;

import java.time.Duration;

/**
 * A finished tool run.
 *
 * @param tool       tool name
 * @param exitCode   exit code
 * @param stdout     captured standard output (only for {@link ProcessRunner#run}; empty when streamed)
 * @param stderrTail the last lines of standard error, secrets redacted
 * @param duration   wall time
 * @since 0.1.0
 */
public record ToolResult(String tool, int exitCode, String stdout, String stderrTail, Duration duration) {
}
