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
import java.util.OptionalInt;
import java.util.stream.Stream;

/**
 * Where a drill looks for the PostgreSQL server binaries it runs ({@code initdb}, {@code pg_ctl}, {@code postgres})
 * and the client tools next to them: the configured directory, else {@code pg_config --bindir}, else the newest
 * {@code /usr/lib/postgresql/N/bin}. What a directory of binaries is, and its version, is core's
 * {@link ServerBinaries}.
 */
final class PostgresBinaries {
    private static final List<String> REQUIRED = List.of("initdb", "pg_ctl", "postgres", "psql");
    /** A physical drill restores with pgBackRest and checks over JDBC: no client tool runs from its bin directory. */
    private static final List<String> SERVER_ONLY = List.of("initdb", "pg_ctl", "postgres");
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

    /**
     * The binaries for a drill of a physical set, which only a server of the set's major version can start.
     *
     * @param explicit  the configured directory, if any: used only when its major version is {@code major}
     * @param preferred directories to try first (the backed-up cluster's own {@code binDir})
     * @param major     the set's PostgreSQL major version ({@code 17}), empty when the set does not say
     * @return the first complete installation of that major version among: {@code explicit} alone if given; else
     *         {@code preferred}, {@code /usr/lib/postgresql/MAJOR/bin}, {@code pg_config --bindir} and the other
     *         Debian directories
     * @throws ToolException (TOOL_MISSING) naming every place looked at and what version each held
     */
    static ServerBinaries locateMajor(Optional<Path> explicit, List<Path> preferred, OptionalInt major) {
        if (major.isEmpty()) {
            return locate(explicit);
        }
        int want = major.getAsInt();
        List<Path> candidates = new ArrayList<>();
        if (explicit.isPresent()) {
            candidates.add(explicit.get());
        } else {
            candidates.addAll(preferred);
            candidates.add(DEBIAN.resolve(Integer.toString(want)).resolve("bin"));
            ServerBinaries.pgConfigBinDir().ifPresent(candidates::add);
            candidates.addAll(debianBinDirs());
        }
        List<String> looked = new ArrayList<>();
        for (Path dir : candidates.stream().distinct().toList()) {
            List<String> missing = ServerBinaries.missing(dir, SERVER_ONLY);
            if (!missing.isEmpty()) {
                looked.add(dir + " (missing " + String.join(", ", missing) + ")");
                continue;
            }
            ServerBinaries found = ServerBinaries.inspect(dir);
            if (found.majorVersion() == want) {
                return found;
            }
            looked.add(dir + " (PostgreSQL " + found.version() + ")");
        }
        throw new ToolException(ErrorCode.TOOL_MISSING, "initdb", null, "", "the set was taken from PostgreSQL "
                + want + ", and only PostgreSQL " + want + " server binaries can start it; none found: looked in "
                + String.join("; ", looked) + ". Install them (e.g. `apt-get install postgresql-" + want + "`) or "
                + "set the drill builder's binDir to a PostgreSQL " + want + " bin directory", null);
    }

    /**
     * @param server server binaries
     * @return the psql beside them; for a server-only build (no psql, e.g. an embedded PostgreSQL 17) the newest
     *         Debian one, else {@code pg_config --bindir}'s, else {@code psql} on {@code PATH}: plain queries work
     *         across major versions
     */
    static String psql(ServerBinaries server) {
        List<Path> dirs = new ArrayList<>(List.of(server.binDir()));
        dirs.addAll(debianBinDirs());
        ServerBinaries.pgConfigBinDir().ifPresent(dirs::add);
        return dirs.stream().map(d -> d.resolve("psql")).filter(Files::isExecutable).findFirst()
                .map(Path::toString).orElse("psql");
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
