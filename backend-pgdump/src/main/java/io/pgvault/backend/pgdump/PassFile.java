package io.pgvault.backend.pgdump;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.Secret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A temporary libpq password file: created 0600 and exclusively under an unpredictable name (never readable by anyone
 * else, not even for a moment; never through a planted link), holding one {@code *:*:*:user:password} line, deleted on
 * {@link #close()}. Its name carries the writing process's id: the first file a process writes sweeps the files of
 * processes that no longer exist (killed before they could delete theirs).
 */
final class PassFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PassFile.class);

    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("pgvault-(\\d+)-.*\\.pgpass");
    private static final java.util.concurrent.atomic.AtomicBoolean SWEPT =
            new java.util.concurrent.atomic.AtomicBoolean();

    private final Path path;

    private PassFile(Path path) {
        this.path = path;
    }

    /**
     * @param user     the role the password belongs to
     * @param password the password
     * @return the written file
     */
    static PassFile write(String user, Secret password) {
        String pw = password.reveal();
        if (pw.indexOf('\n') >= 0 || pw.indexOf('\r') >= 0) {
            throw new ConfigurationException("the password contains a line break, which a pgpass file cannot hold;"
                    + " use PasswordTransport.ENVIRONMENT");
        }
        if (SWEPT.compareAndSet(false, true)) {
            sweep(Path.of(System.getProperty("java.io.tmpdir")));
        }
        Path file = null;
        try {
            file = Files.createTempFile("pgvault-" + ProcessHandle.current().pid() + "-", ".pgpass",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            String line = "*:*:*:" + escape(user) + ":" + escape(pw) + "\n";
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
            return new PassFile(file);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(file);
            // the exception text of a failed write never holds the content
            throw new PgVaultException(ErrorCode.CONFIGURATION, "cannot write a temporary pgpass file: " + e, e);
        }
    }

    /**
     * Deletes the password files that processes no longer running left in {@code dir} (a SIGKILL skips
     * {@link #close()}); a file whose process id is alive again is kept, whoever holds that id now.
     *
     * @param dir the temporary directory
     * @return how many files were deleted
     */
    static int sweep(Path dir) {
        int deleted = 0;
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                java.util.regex.Matcher m = NAME.matcher(f.getFileName().toString());
                if (!m.matches() || !Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(m.group(1));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                try {
                    if (Files.deleteIfExists(f)) {
                        deleted++;
                        LOG.info("deleted {}, a password file left by process {}, which no longer runs", f, pid);
                    }
                } catch (IOException e) {
                    LOG.debug("could not delete {}: {}", f, e.toString());
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not sweep {} for left-over password files: {}", dir, e.toString());
        }
        return deleted;
    }

    /** @return where the file is */
    Path path() {
        return path;
    }

    @Override
    public void close() {
        deleteQuietly(path);
    }

    private static void deleteQuietly(Path file) {
        if (file == null) {
            return;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("could not delete temporary pgpass file {}: {}", file, e.toString());
        }
    }

    /** pgpass escapes {@code :} and {@code \} with a backslash. */
    private static String escape(String field) {
        return field.replace("\\", "\\\\").replace(":", "\\:");
    }
}
