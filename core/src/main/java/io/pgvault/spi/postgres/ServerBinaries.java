package io.pgvault.spi.postgres;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.ToolException;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A directory of PostgreSQL server binaries ({@code initdb}, {@code pg_ctl}, {@code postgres}) and their version.
 * Where to look for one is the caller's policy (a drill and a test kit look in different places); what one is, and
 * how its version is read, is here.
 *
 * @param binDir       the directory
 * @param version      the server's version, e.g. {@code 15.14}
 * @param majorVersion its major version, e.g. 15
 * @since 0.6.0
 */
public record ServerBinaries(Path binDir, String version, int majorVersion) {
    /**
     * The programs a directory must hold to run a server.
     *
     * @since 0.6.0
     */
    public static final List<String> SERVER_TOOLS = List.of("initdb", "pg_ctl", "postgres");
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+((\\d+)(?:\\.\\d+)*)");

    /** Checks the components. */
    public ServerBinaries {
        Objects.requireNonNull(binDir, "binDir");
        Objects.requireNonNull(version, "version");
    }

    /**
     * @param dir   a directory
     * @param tools program names
     * @return those of {@code tools} that are not executable in {@code dir}, in order
     * @since 0.6.0
     */
    public static List<String> missing(Path dir, List<String> tools) {
        return tools.stream().filter(t -> !Files.isExecutable(dir.resolve(t))).toList();
    }

    /**
     * Reads the version of the server binaries in a directory ({@code postgres --version}).
     *
     * @param dir a directory holding {@link #SERVER_TOOLS}
     * @return the binaries
     * @throws ToolException (TOOL_MISSING) when a server program is missing
     * @throws PgVaultException (TOOL_FAILED) when the version cannot be read
     * @since 0.6.0
     */
    public static ServerBinaries inspect(Path dir) {
        List<String> missing = missing(dir, SERVER_TOOLS);
        if (!missing.isEmpty()) {
            throw new ToolException(ErrorCode.TOOL_MISSING, missing.get(0), null, "", dir + " lacks "
                    + String.join(", ", missing), null);
        }
        String out = ProcessRunner.local().run(ToolCommand.builder("postgres", dir.resolve("postgres").toString())
                .arg("--version").timeout(Duration.ofSeconds(30)).build()).stdout().strip();
        Matcher m = VERSION.matcher(out);
        if (!m.find()) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "cannot read the version of " + dir.resolve("postgres")
                    + " from '" + out + "'");
        }
        return new ServerBinaries(dir, m.group(1), Integer.parseInt(m.group(2)));
    }

    /**
     * @return {@code pg_config --bindir}, when {@code pg_config} is on PATH (it only helps find a non-default
     *         installation, so its absence is no error)
     * @since 0.6.0
     */
    public static Optional<Path> pgConfigBinDir() {
        try {
            String out = ProcessRunner.local().run(ToolCommand.builder("pg_config", "pg_config").arg("--bindir")
                    .timeout(Duration.ofSeconds(30)).build()).stdout().strip();
            return out.isEmpty() ? Optional.empty() : Optional.of(Path.of(out));
        } catch (PgVaultException e) {
            return Optional.empty();
        }
    }

    /**
     * @param name a program name, e.g. {@code pg_ctl}
     * @return its absolute path in {@link #binDir()}
     * @since 0.6.0
     */
    public String tool(String name) {
        return binDir.resolve(name).toString();
    }
}
