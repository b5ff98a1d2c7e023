package io.pgvault.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

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

    private PgBackRestBinaries() {
    }

    /**
     * @return {@code pgbackrest} {@value #V2_55}, extracted by {@code scripts/install-packages}
     * @throws IllegalStateException when it is not there: the test fails rather than skips, since the script
     *                               installs it
     */
    public static Path pgbackrest255() {
        String tools = System.getenv("PGVAULT_TOOLS");
        Path dir = tools != null && !tools.isBlank() ? Path.of(tools)
                : Path.of(System.getProperty("user.home"), ".cache", "pgvault");
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
