package io.pgvault.operations.drill;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.ToolException;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The PostgreSQL server binaries a drill runs ({@code initdb}, {@code pg_ctl}, {@code postgres}) and the client tools
 * next to them, with their major version.
 *
 * @param binDir the directory
 * @param version e.g. {@code 15.14}
 * @param major   e.g. 15
 */
record PostgresBinaries(Path binDir, String version, int major) {
    private static final List<String> REQUIRED = List.of("initdb", "pg_ctl", "postgres", "psql");
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+((\\d+)(?:\\.\\d+)*)");
    private static final Path DEBIAN = Path.of("/usr/lib/postgresql");

    /**
     * @param explicit the configured directory, if any; else {@code pg_config --bindir}, else the newest
     *                 {@code /usr/lib/postgresql/N/bin}
     * @return the binaries
     * @throws ToolException (TOOL_MISSING) naming every place looked at
     */
    static PostgresBinaries locate(Optional<Path> explicit) {
        List<Path> candidates = new ArrayList<>();
        if (explicit.isPresent()) {
            candidates.add(explicit.get());
        } else {
            pgConfigBinDir().ifPresent(candidates::add);
            candidates.addAll(debianBinDirs());
        }
        List<String> looked = new ArrayList<>();
        for (Path dir : candidates) {
            List<String> missing = REQUIRED.stream().filter(t -> !Files.isExecutable(dir.resolve(t))).toList();
            if (missing.isEmpty()) {
                return withVersion(dir);
            }
            looked.add(dir + " (missing " + String.join(", ", missing) + ")");
        }
        if (looked.isEmpty()) {
            looked.add("pg_config --bindir (not on PATH) and " + DEBIAN + "/*/bin (none)");
        }
        throw new ToolException(ErrorCode.TOOL_MISSING, "initdb", null, "", "PostgreSQL server binaries for the"
                + " throwaway drill server not found; looked in " + String.join("; ", looked) + ". Install them (e.g."
                + " `apt-get install postgresql-15`) or set RestoreDrill.Builder#binDir", null);
    }

    String tool(String name) {
        return binDir.resolve(name).toString();
    }

    private static PostgresBinaries withVersion(Path dir) {
        String out = ProcessRunner.local().run(ToolCommand.builder("postgres", dir.resolve("postgres").toString())
                .arg("--version").timeout(Duration.ofSeconds(30)).build()).stdout().strip();
        Matcher m = VERSION.matcher(out);
        if (!m.find()) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "cannot read the version of "
                    + dir.resolve("postgres") + " from '" + out + "'");
        }
        return new PostgresBinaries(dir, m.group(1), Integer.parseInt(m.group(2)));
    }

    private static Optional<Path> pgConfigBinDir() {
        try {
            String out = ProcessRunner.local().run(ToolCommand.builder("pg_config", "pg_config").arg("--bindir")
                    .timeout(Duration.ofSeconds(30)).build()).stdout().strip();
            return out.isEmpty() ? Optional.empty() : Optional.of(Path.of(out));
        } catch (PgVaultException e) {
            return Optional.empty(); // pg_config is optional: it only helps find a non-default installation
        }
    }

    /** @return {@code /usr/lib/postgresql/N/bin}, newest major first */
    private static List<Path> debianBinDirs() {
        if (!Files.isDirectory(DEBIAN)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(DEBIAN)) {
            return s.filter(p -> p.getFileName().toString().matches("\\d+"))
                    .sorted(Comparator.comparing((Path p) -> Integer.parseInt(p.getFileName().toString())).reversed())
                    .map(p -> p.resolve("bin")).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
