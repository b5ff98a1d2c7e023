package io.pgvault.testkit;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.ToolException;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PostgreSQL server binaries a {@link PostgresCluster} runs: where they are and which version they are.
 *
 * @param binDir       directory holding {@code initdb}, {@code pg_ctl}, {@code postgres} and {@code psql}
 * @param version      the version string, e.g. {@code 15.14}
 * @param majorVersion the major version, e.g. 15
 */
record ServerBinaries(Path binDir, String version, int majorVersion) {

    /** Where Debian's {@code postgresql-15} package puts them. */
    static final Path DEFAULT_BIN_DIR = Path.of("/usr/lib/postgresql/15/bin");
    /** Overrides the default location, e.g. {@code -Dpgvault.postgres.bindir=/usr/lib/postgresql/16/bin}. */
    static final String BIN_DIR_PROPERTY = "pgvault.postgres.bindir";
    /** Overrides the default location from the environment. */
    static final String BIN_DIR_ENV = "PGVAULT_POSTGRES_BINDIR";
    static final String INSTALL_HINT = "apt-get install -y postgresql-15";

    private static final List<String> REQUIRED = List.of("initdb", "pg_ctl", "postgres", "psql");
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+((\\d+)(?:\\.\\d+)*)");

    /**
     * Resolves the binaries: the explicit directory if given; else the system property, the environment variable,
     * {@link #DEFAULT_BIN_DIR} and {@code pg_config --bindir}, the first that holds a complete set.
     *
     * @param explicit a directory the caller chose, if any
     * @return the binaries with their version
     * @throws ToolException (TOOL_MISSING) naming the apt command when none is found
     */
    static ServerBinaries locate(Optional<Path> explicit) {
        List<String> looked = new ArrayList<>();
        List<Path> candidates = new ArrayList<>();
        if (explicit.isPresent()) {
            candidates.add(explicit.get());
        } else {
            Optional.ofNullable(System.getProperty(BIN_DIR_PROPERTY)).filter(s -> !s.isBlank()).map(Path::of)
                    .ifPresent(candidates::add);
            Optional.ofNullable(System.getenv(BIN_DIR_ENV)).filter(s -> !s.isBlank()).map(Path::of)
                    .ifPresent(candidates::add);
            candidates.add(DEFAULT_BIN_DIR);
            pgConfigBinDir().ifPresent(candidates::add);
        }
        for (Path dir : candidates) {
            List<String> missing = REQUIRED.stream().filter(t -> !Files.isExecutable(dir.resolve(t))).toList();
            if (missing.isEmpty()) {
                return withVersion(dir);
            }
            looked.add(dir + " (missing " + String.join(", ", missing) + ")");
        }
        throw new ToolException(ErrorCode.TOOL_MISSING, "initdb", null, "",
                "PostgreSQL server binaries not found; looked in " + String.join("; ", looked)
                        + ". Install them with `" + INSTALL_HINT + "`, or point -D" + BIN_DIR_PROPERTY + "=DIR (or "
                        + BIN_DIR_ENV + ", or PostgresCluster.Builder#binDir) at a directory holding "
                        + String.join(", ", REQUIRED), null);
    }

    private static ServerBinaries withVersion(Path dir) {
        String out = ProcessRunner.local().run(ToolCommand.builder("postgres", dir.resolve("postgres").toString())
                .arg("--version").timeout(Duration.ofSeconds(30)).build()).stdout().strip();
        Matcher m = VERSION.matcher(out);
        if (!m.find()) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED,
                    "cannot read the version of " + dir.resolve("postgres") + " from '" + out + "'");
        }
        return new ServerBinaries(dir, m.group(1), Integer.parseInt(m.group(2)));
    }

    private static Optional<Path> pgConfigBinDir() {
        try {
            String out = ProcessRunner.local().run(ToolCommand.builder("pg_config", "pg_config").arg("--bindir")
                    .timeout(Duration.ofSeconds(30)).build()).stdout().strip();
            return out.isEmpty() ? Optional.empty() : Optional.of(Path.of(out));
        } catch (PgVaultException e) {
            // pg_config is optional: it only helps find a non-default installation
            return Optional.empty();
        }
    }

    /**
     * @param tool a program name, e.g. {@code psql}
     * @return its absolute path in {@link #binDir()}
     */
    String tool(String tool) {
        return binDir.resolve(tool).toString();
    }
}
