package io.pgvault.operations.schedule;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * A {@link JobStore} in a properties file ({@code <job>.lastFire}, {@code .outcome}, {@code .finishedAt}), and claims
 * as files {@code <job>@<fire epoch millis>} in the directory {@code <file>.claims} beside it: a claim is an exclusive
 * create ({@code O_EXCL}), atomic also between processes sharing the directory. Claims of fires older than the
 * recorded one are deleted when a fire is recorded.
 */
final class FileJobStore implements JobStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileJobStore.class);

    private final Path file;
    private final Path claims;

    FileJobStore(Path file) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath();
        this.claims = this.file.resolveSibling(this.file.getFileName() + ".claims");
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
        pruneClaims(result.job(), result.scheduledFor());
    }

    @Override
    public synchronized boolean claim(String job, Instant fire, String claimant) {
        if (lastFire(job).map(last -> !last.isBefore(fire)).orElse(false)) {
            return false;
        }
        Path claim = claims.resolve(job + "@" + fire.toEpochMilli());
        try {
            Files.createDirectories(claims);
            try (var listing = Files.list(claims)) { // a later fire claimed supersedes this one
                String prefix = job + "@";
                if (listing.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix))
                        .map(n -> n.substring(prefix.length())).filter(n -> n.matches("\\d+"))
                        .anyMatch(n -> Long.parseLong(n) > fire.toEpochMilli())) {
                    return false;
                }
            }
            Files.createFile(claim);
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.REPOSITORY, "could not claim the fire at " + fire + " of job " + job
                    + " in " + claims + ": " + e, e);
        }
        try {
            Files.writeString(claim, "fire=" + fire + "\nclaimant=" + claimant + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            // the claim is the file's existence; its content only helps a human
            LOG.warn("claimed the fire at {} of job {} but could not describe the claim in {}: {}", fire, job, claim,
                    e.toString());
        }
        return true;
    }

    /** Deletes claims of fires before {@code recorded}: the recorded fire refuses them from now on. */
    private void pruneClaims(String job, Instant recorded) {
        if (!Files.isDirectory(claims)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(claims, job + "@*")) {
            for (Path claim : entries) {
                String millis = claim.getFileName().toString().substring(job.length() + 1);
                if (millis.matches("\\d{1,19}") && Instant.ofEpochMilli(Long.parseLong(millis)).isBefore(recorded)) {
                    Files.deleteIfExists(claim);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not delete old claims of job {} in {}: {}", job, claims, e.toString());
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
        return "JobStore[file " + file + ", claims in " + claims + "]";
    }
}
