package io.pgvault.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * pgBackRest builds other than the system's, for integration tests that prove pgvault's configuration on them.
 * {@code scripts/install-packages} extracts them (TESTING.md's recipe) under {@code $PGVAULT_TOOLS}, by default
 * {@code ~/.cache/pgvault}.
 *
 * @since 0.6.0
 */
public final class PgBackRestBinaries {
    /** The newer pgBackRest the tests run: Debian 13's. */
    public static final String V2_55 = "2.55.1";

    /**
     * The newest pgBackRest the tests run: Debian's testing suite's (2.60.0 when this was written), 2.59 or later,
     * whose features (the root refusal, {@code archive-expire-before}) the older builds lack.
     *
     * @since 0.6.0
     */
    public static final String V2_59_OR_LATER = "2.59+";
    private static final int NEWEST_MIN_MINOR = 59;
    private static final Pattern TREE = Pattern.compile("pgbackrest-2\\.(\\d+)(?:\\.(\\d+))?");
    private static final String COMPLETE = ClusterBinaries.DEBIAN_TREE_MARKER;

    private PgBackRestBinaries() {
    }

    /**
     * @return {@code usr/bin/pgbackrest} of the newest complete Debian tree of pgBackRest 2.59 or later that
     *         {@code scripts/install-packages} extracted (a wrapper that runs it with that suite's C library)
     * @throws IllegalStateException when there is none: the test fails rather than skips, since the script installs it
     * @since 0.6.0
     */
    public static Path pgbackrestNewest() {
        Path tools = ClusterBinaries.toolsDirectory();
        try (Stream<Path> dirs = Files.list(tools)) {
            return dirs.filter(d -> Files.exists(d.resolve(COMPLETE)))
                    .filter(d -> {
                        Matcher m = TREE.matcher(d.getFileName().toString());
                        return m.matches() && Integer.parseInt(m.group(1)) >= NEWEST_MIN_MINOR;
                    })
                    .max(Comparator.comparing((Path d) -> minorAndPatch(d.getFileName().toString())))
                    .map(d -> d.resolve("usr/bin/pgbackrest"))
                    .filter(Files::isExecutable)
                    .orElseThrow(() -> new IllegalStateException("no pgBackRest 2." + NEWEST_MIN_MINOR
                            + " or later is installed under " + tools + ": run scripts/install-packages"));
        } catch (IOException e) {
            throw new IllegalStateException("no pgBackRest 2." + NEWEST_MIN_MINOR + " or later: cannot list " + tools
                    + " (" + e + "): run scripts/install-packages", e);
        }
    }

    /**
     * @return empty when {@link #pgbackrestNewest()} finds a program; else why not
     * @since 0.6.0
     */
    public static java.util.Optional<String> whyNewestUnavailable() {
        try {
            pgbackrestNewest();
            return java.util.Optional.empty();
        } catch (IllegalStateException e) {
            return java.util.Optional.of(e.getMessage());
        }
    }

    private static Integer minorAndPatch(String name) {
        Matcher m = TREE.matcher(name);
        return m.matches() ? Integer.parseInt(m.group(1)) * 1000 + (m.group(2) == null ? 0 : Integer.parseInt(m.group(2)))
                : -1;
    }

    /**
     * A program in a Debian tree ({@link #pgbackrestNewest()}) runs only with its tree's libraries beside it: the
     * whole tree is copied (once, under {@code /tmp}) where the server's user can reach it.
     *
     * @param program {@code usr/bin/pgbackrest} of a complete Debian tree
     * @return the same program in a copy of the tree every user can read and run
     * @since 0.6.0
     */
    public static Path runnableTreeCopy(Path program) {
        Path root = program.getParent().getParent().getParent();
        if (!Files.exists(root.resolve(COMPLETE))) {
            throw new IllegalArgumentException(program + " is not in a Debian tree scripts/install-packages made");
        }
        if (InstallationCopy.traversableByAll(root)) {
            return program;
        }
        return InstallationCopy.of(root, "pgvault-" + root.getFileName()).resolve("usr/bin/pgbackrest");
    }

    /**
     * @return {@code pgbackrest} {@value #V2_55}, extracted by {@code scripts/install-packages}
     * @throws IllegalStateException when it is not there: the test fails rather than skips, since the script
     *                               installs it
     */
    public static Path pgbackrest255() {
        Path dir = ClusterBinaries.toolsDirectory();
        Path program = dir.resolve("pgbackrest-" + V2_55).resolve("usr/bin/pgbackrest");
        if (!Files.isExecutable(program)) {
            throw new IllegalStateException("pgBackRest " + V2_55 + " is not installed at " + program
                    + ": run scripts/install-packages");
        }
        return program;
    }

    /**
     * The tools directory is usually under root's 0700 home, where the server's OS user (who runs pgBackRest and the
     * server's {@code archive_command}) cannot reach: a copy in a directory that user can read runs instead.
     *
     * @param program a pgbackrest program
     * @param dir     a directory the server's user can traverse (a fixture's)
     * @return an executable copy of {@code program} in {@code dir}, mode 0755
     */
    public static Path runnableCopy(Path program, Path dir) {
        try {
            Path bin = Files.createDirectories(dir.resolve("bin"));
            Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path copy = bin.resolve("pgbackrest");
            Files.copy(program, copy, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + program + " to " + dir, e);
        }
    }
}
