package io.pgvault.testkit;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.ToolException;
import io.pgvault.spi.postgres.ServerBinaries;
import io.pgvault.spi.postgres.ThrowawayServer;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where a {@link PostgresCluster} finds its server binaries (the test kit's search: system property, environment,
 * extracted server-only builds, Debian's packages), where the client programs ({@code psql}) are, which server-only
 * builds (zonky's) lack, and a copy every user can reach. What a directory of server binaries is, and its version, is
 * core's {@link ServerBinaries}.
 *
 * @param binDir       directory holding {@code initdb}, {@code pg_ctl} and {@code postgres}
 * @param clientBinDir directory holding {@code psql} (and usually {@code pg_dump}): {@code binDir} when it has them,
 *                     else the system's
 * @param version      the server's version string, e.g. {@code 15.14}
 * @param majorVersion the server's major version, e.g. 15
 */
record ClusterBinaries(Path binDir, Path clientBinDir, String version, int majorVersion) {

    /** Where Debian's {@code postgresql-15} package puts them. */
    static final Path DEFAULT_BIN_DIR = Path.of("/usr/lib/postgresql/15/bin");
    /** Overrides the default location, e.g. {@code -Dpgvault.postgres.bindir=/usr/lib/postgresql/16/bin}. */
    static final String BIN_DIR_PROPERTY = "pgvault.postgres.bindir";
    /** Overrides the default location from the environment. */
    static final String BIN_DIR_ENV = "PGVAULT_POSTGRES_BINDIR";
    /** Where {@code scripts/install-packages} extracts private tools; default {@code ~/.cache/pgvault}. */
    static final String TOOLS_ENV = "PGVAULT_TOOLS";
    static final String INSTALL_HINT = "apt-get install -y postgresql-15";


    /**
     * Resolves the binaries: the explicit directory if given; else the system property, the environment variable,
     * and for a required major version N {@code /usr/lib/postgresql/N/bin} and the server-only builds
     * {@code scripts/install-packages} extracts ({@code $PGVAULT_TOOLS/postgresql-N.*}/bin, newest first), then
     * {@link #DEFAULT_BIN_DIR} and {@code pg_config --bindir}: the first holding a server of the required major
     * version (any when 0).
     *
     * @param explicit      a directory the caller chose, if any
     * @param requiredMajor the major version the server must have, or 0 for any
     * @return the binaries with their version
     * @throws ToolException (TOOL_MISSING) naming what was looked at and how to install it when none is found
     */
    static ClusterBinaries locate(Optional<Path> explicit, int requiredMajor) {
        List<String> looked = new ArrayList<>();
        for (Path dir : candidates(explicit, requiredMajor)) {
            List<String> missing = ServerBinaries.missing(dir, ServerBinaries.SERVER_TOOLS);
            if (!missing.isEmpty()) {
                looked.add(dir + " (missing " + String.join(", ", missing) + ")");
                continue;
            }
            ClusterBinaries found = withVersion(dir);
            if (requiredMajor == 0 || found.majorVersion() == requiredMajor || explicit.isPresent()) {
                return found; // an explicit directory of another version is reported by the builder
            }
            looked.add(dir + " (holds " + found.version() + ")");
        }
        String hint = requiredMajor == 0 || requiredMajor == 15 ? "`" + INSTALL_HINT + "`"
                : "scripts/install-packages (it extracts PostgreSQL 16, 17 and 18 servers into " + toolsDirectory() + ")";
        throw new ToolException(ErrorCode.TOOL_MISSING, "initdb", null, "",
                "PostgreSQL " + (requiredMajor == 0 ? "" : requiredMajor + " ") + "server binaries not found; looked in "
                        + String.join("; ", looked) + ". Install them with " + hint + ", or point -D"
                        + BIN_DIR_PROPERTY + "=DIR (or " + BIN_DIR_ENV + ", or PostgresCluster.Builder#binDir) at a "
                        + "directory holding " + String.join(", ", ServerBinaries.SERVER_TOOLS), null);
    }

    private static List<Path> candidates(Optional<Path> explicit, int requiredMajor) {
        List<Path> candidates = new ArrayList<>();
        if (explicit.isPresent()) {
            candidates.add(explicit.get());
            return candidates;
        }
        Optional.ofNullable(System.getProperty(BIN_DIR_PROPERTY)).filter(s -> !s.isBlank()).map(Path::of)
                .ifPresent(candidates::add);
        Optional.ofNullable(System.getenv(BIN_DIR_ENV)).filter(s -> !s.isBlank()).map(Path::of)
                .ifPresent(candidates::add);
        if (requiredMajor != 0) {
            candidates.add(Path.of("/usr/lib/postgresql/" + requiredMajor + "/bin"));
            candidates.addAll(extracted(requiredMajor));
        }
        candidates.add(DEFAULT_BIN_DIR);
        pgConfigBinDir().ifPresent(candidates::add);
        return List.copyOf(new LinkedHashSet<>(candidates));
    }

    /** @return {@code $PGVAULT_TOOLS}, by default {@code ~/.cache/pgvault} */
    static Path toolsDirectory() {
        String tools = System.getenv(TOOLS_ENV);
        return tools != null && !tools.isBlank() ? Path.of(tools)
                : Path.of(System.getProperty("user.home"), ".cache", "pgvault");
    }

    /** @return the bin directories of the extracted servers of one major version, newest minor first */
    private static List<Path> extracted(int major) {
        Pattern name = Pattern.compile("postgresql-" + major + "\\.(\\d+)(?:\\.\\d+)*");
        try (Stream<Path> dirs = Files.list(toolsDirectory())) {
            return dirs.filter(d -> name.matcher(d.getFileName().toString()).matches())
                    .sorted(Comparator.comparingInt((Path d) -> {
                        Matcher m = name.matcher(d.getFileName().toString());
                        return m.matches() ? Integer.parseInt(m.group(1)) : 0;
                    }).reversed())
                    .map(d -> debianBinDir(d, major).orElse(d.resolve("bin"))).toList();
        } catch (IOException e) {
            return List.of(); // no tools directory: nothing extracted
        }
    }

    /**
     * @return the bin directory of a Debian package tree {@code scripts/install-packages} extracted from a newer suite
     *         ({@code usr/lib/postgresql/N/bin}, its programs wrapped to run with that suite's C library), if
     *         {@code installation} is one
     */
    private static Optional<Path> debianBinDir(Path installation, int major) {
        Path bin = installation.resolve(DEBIAN_LAYOUT + major).resolve("bin");
        // the script writes the marker last, into a tree it renames into place only when complete
        return Files.isDirectory(bin) && Files.exists(installation.resolve(DEBIAN_TREE_MARKER)) ? Optional.of(bin)
                : Optional.empty();
    }

    /** The file {@code scripts/install-packages} writes into a Debian tree last, once it is complete. */
    static final String DEBIAN_TREE_MARKER = ".pgvault-debian-tree";

    /** Where Debian's packages put a PostgreSQL major version's programs, relative to the root they unpack into. */
    private static final String DEBIAN_LAYOUT = "usr/lib/postgresql/";

    /**
     * @return the directory to copy so that these binaries run elsewhere: the whole package tree for Debian's layout
     *         (its libraries and C library are beside {@code usr/lib/postgresql}), else the parent of {@code bin}
     */
    private Path installationRoot() {
        Path debian = Path.of(DEBIAN_LAYOUT + majorVersion, "bin");
        if (binDir.endsWith(debian)) {
            Path root = binDir;
            for (int i = 0; i < debian.getNameCount(); i++) {
                root = root.getParent();
            }
            return root;
        }
        return binDir.getParent();
    }

    private static ClusterBinaries withVersion(Path dir) {
        ServerBinaries server = ServerBinaries.inspect(dir);
        return new ClusterBinaries(dir, clientBinDir(dir), server.version(), server.majorVersion());
    }

    /** @return the server binaries as core's {@link ThrowawayServer} runs them */
    ServerBinaries server() {
        return new ServerBinaries(binDir, version, majorVersion);
    }

    /**
     * @return {@code serverDir} when it has {@code psql}; else the system's client directory ({@link #DEFAULT_BIN_DIR},
     *         {@code pg_config --bindir}, then {@code PATH}): server-only builds come without clients, and psql 15
     *         talks to newer servers for plain queries
     */
    private static Path clientBinDir(Path serverDir) {
        List<Path> dirs = new ArrayList<>(List.of(serverDir, DEFAULT_BIN_DIR));
        pgConfigBinDir().ifPresent(dirs::add);
        for (String entry : Optional.ofNullable(System.getenv("PATH")).orElse("").split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                dirs.add(Path.of(entry));
            }
        }
        return dirs.stream().filter(d -> Files.isExecutable(d.resolve("psql"))).findFirst()
                .orElseThrow(() -> new ToolException(ErrorCode.TOOL_MISSING, "psql", null, "",
                        "psql not found next to " + serverDir + ", in " + DEFAULT_BIN_DIR + " or on PATH; install it "
                                + "with `apt-get install -y postgresql-client-15`", null));
    }

    private static Optional<Path> pgConfigBinDir() {
        return ServerBinaries.pgConfigBinDir();
    }

    /**
     * @param tool a server program name, e.g. {@code pg_ctl}
     * @return its absolute path in {@link #binDir()}
     */
    String tool(String tool) {
        return binDir.resolve(tool).toString();
    }

    /**
     * @param tool a client program name, e.g. {@code psql}
     * @return its absolute path in {@link #clientBinDir()}
     */
    String clientTool(String tool) {
        return clientBinDir.resolve(tool).toString();
    }

    /**
     * The server's OS user must be able to run the binaries; those extracted under root's 0700 home cannot be
     * reached by {@code postgres}. Then the installation (the parent of {@code bin}: {@code bin}, {@code lib},
     * {@code share}) is copied once to {@code /tmp} and the copy is used, by this JVM and later ones.
     *
     * @return these binaries, or the same version in a copy every user can reach
     */
    ClusterBinaries reachableByAll() {
        if (InstallationCopy.traversableByAll(binDir)) {
            return this;
        }
        Path root = installationRoot();
        Path copy = InstallationCopy.of(root, "pgvault-postgresql-" + version);
        Path bin = copy.resolve(root.relativize(binDir).toString());
        return new ClusterBinaries(bin, clientBinDir.equals(binDir) ? bin : clientBinDir, version, majorVersion);
    }
}
