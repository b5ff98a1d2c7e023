package io.pgvault.operations.drill;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.ToolException;
import io.pgvault.spi.postgres.ServerBinaries;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where a drill looks for the PostgreSQL server binaries it runs ({@code initdb}, {@code pg_ctl}, {@code postgres})
 * and the client tools next to them: the configured directory, else {@code pg_config --bindir}, else the newest
 * {@code /usr/lib/postgresql/N/bin}. What a directory of binaries is, and its version, is core's
 * {@link ServerBinaries}.
 */
final class PostgresBinaries {
    private static final List<String> REQUIRED = List.of("initdb", "pg_ctl", "postgres", "psql");
    private static final Path DEBIAN = Path.of("/usr/lib/postgresql");

    private PostgresBinaries() {
    }

    /**
     * @param explicit the configured directory, if any; else {@code pg_config --bindir}, else the newest
     *                 {@code /usr/lib/postgresql/N/bin}
     * @return the binaries
     * @throws ToolException (TOOL_MISSING) naming every place looked at
     */
    static ServerBinaries locate(Optional<Path> explicit) {
        List<Path> candidates = new ArrayList<>();
        if (explicit.isPresent()) {
            candidates.add(explicit.get());
        } else {
            ServerBinaries.pgConfigBinDir().ifPresent(candidates::add);
            candidates.addAll(debianBinDirs());
        }
        List<String> looked = new ArrayList<>();
        for (Path dir : candidates) {
            List<String> missing = ServerBinaries.missing(dir, REQUIRED);
            if (missing.isEmpty()) {
                return ServerBinaries.inspect(dir);
            }
            looked.add(dir + " (missing " + String.join(", ", missing) + ")");
        }
        if (looked.isEmpty()) {
            looked.add("pg_config --bindir (not on PATH) and " + DEBIAN + "/*/bin (none)");
        }
        throw new ToolException(ErrorCode.TOOL_MISSING, "initdb", null, "", "PostgreSQL server binaries for the"
                + " throwaway drill server not found; looked in " + String.join("; ", looked) + ". Install them (e.g."
                + " `apt-get install postgresql-15`) or set the drill builder's binDir", null);
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
