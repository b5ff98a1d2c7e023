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
 * A temporary libpq password file: created 0600 (never readable by anyone else, not even for a moment), holding one
 * {@code *:*:*:user:password} line, deleted on {@link #close()}.
 */
final class PassFile implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PassFile.class);

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
        Path file = null;
        try {
            file = Files.createTempFile("pgvault-", ".pgpass",
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
