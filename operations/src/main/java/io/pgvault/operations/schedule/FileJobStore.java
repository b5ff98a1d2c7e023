package io.pgvault.operations.schedule;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/** A {@link JobStore} in a properties file ({@code <job>.lastFire}, {@code .outcome}, {@code .finishedAt}). */
final class FileJobStore implements JobStore {
    private final Path file;

    FileJobStore(Path file) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
    }

    @Override
    public synchronized Optional<Instant> lastFire(String job) {
        String value = read().getProperty(job + ".lastFire");
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value));
        } catch (DateTimeParseException e) {
            throw new PgVaultException(ErrorCode.CONFIGURATION, "job store " + file + " holds an unreadable time for "
                    + job + ": '" + value + "'");
        }
    }

    @Override
    public synchronized void record(JobResult result) {
        Properties props = read();
        String previous = props.getProperty(result.job() + ".lastFire");
        if (previous != null && Instant.parse(previous).isAfter(result.scheduledFor())) {
            return;
        }
        props.setProperty(result.job() + ".lastFire", result.scheduledFor().toString());
        props.setProperty(result.job() + ".outcome", result.outcome().name());
        props.setProperty(result.job() + ".finishedAt", result.finishedAt().toString());
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (Writer w = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
                props.store(w, "pgvault job store: latest handled fire per job");
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.REPOSITORY, "could not write job store " + file + ": " + e, e);
        }
    }

    private Properties read() {
        Properties props = new Properties();
        if (Files.exists(file)) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(r);
            } catch (IOException e) {
                throw new PgVaultException(ErrorCode.REPOSITORY, "could not read job store " + file + ": " + e, e);
            }
        }
        return props;
    }

    @Override
    public String toString() {
        return "JobStore[file " + file + "]";
    }
}
