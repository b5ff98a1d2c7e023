package io.pgvault.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgvault.api.BackupId;
import io.pgvault.api.ConflictException;
import io.pgvault.api.Leases;
import io.pgvault.api.NotFoundException;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.RepositoryLayout;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * A writer's claim on one set in one repository: {@code intents/<id>.json}, created create-only, rewritten by a
 * daemon thread every {@link Leases#refreshEvery()} and removed on {@link #close()}. Another process sees the set as
 * in progress while the intent is younger than {@link Leases#expireAfter()} by the repository's clock, and may take
 * over an older one. The holder checks before committing that its claim is still its own and was refreshed within
 * {@link Leases#commitWindow()} (measured on the monotonic clock), so a writer that stalled long enough to be judged
 * abandoned never commits over the one who took over.
 */
public final class Lease implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Lease.class);

    private final Repository repository;
    private final BackupId id;
    private final String key;
    /** When the store says this claim was created (MIN when it could not tell). */
    private volatile Instant createdAt = Instant.MIN;
    private final String token;
    private final String operation;
    private final Leases settings;
    private final Thread refresher;
    private volatile long refreshedNanos;
    private volatile String lost;
    private volatile boolean closed;

    private Lease(Repository repository, BackupId id, String operation, Leases settings) {
        this.repository = repository;
        this.id = id;
        this.key = RepositoryLayout.intentKey(id);
        this.token = UUID.randomUUID().toString();
        this.operation = operation;
        this.settings = settings;
        this.refresher = new Thread(this::refreshLoop, "pgvault-lease-" + id);
        this.refresher.setDaemon(true);
    }

    /**
     * Claims a set, taking over an expired claim of another writer.
     *
     * @param repository the store
     * @param id         the set
     * @param operation  what the claim is for ({@code backup}, {@code tier-copy}), for the humans reading it
     * @param settings   refresh and expiry
     * @return the lease, or empty when a live writer holds the set
     */
    public static Optional<Lease> tryAcquire(Repository repository, BackupId id, String operation, Leases settings) {
        for (int attempt = 0; attempt < 2; attempt++) {
            Lease lease = new Lease(repository, id, operation, settings);
            if (repository.putIfAbsent(lease.key, out -> Json.write(out, lease.body())).isPresent()) {
                if (!repository.putIfAbsentIsAtomic() && !lease.stillMineOrUnknown()) {
                    return Optional.empty(); // a racing writer overwrote ours on a store without conditional writes
                }
                lease.refreshedNanos = System.nanoTime();
                lease.createdAt = repository.stat(lease.key).map(ObjectInfo::lastModified).orElse(Instant.MIN);
                lease.refresher.start();
                return Optional.of(lease);
            }
            Optional<ObjectInfo> existing = repository.stat(lease.key);
            if (existing.isEmpty()) {
                continue; // released meanwhile: try again
            }
            Duration age = Duration.between(existing.get().lastModified(), RepositoryClock.now(repository));
            if (age.compareTo(settings.expireAfter()) <= 0) {
                return Optional.empty();
            }
            Optional<ObjectInfo> again = repository.stat(lease.key);
            if (again.isPresent() && again.get().lastModified().equals(existing.get().lastModified())) {
                LOG.warn("taking over the expired claim {} in {} (last refreshed {} ago by the repository's clock)",
                        lease.key, repository.id(), age);
                repository.delete(lease.key);
            }
        }
        return Optional.empty();
    }

    /** @return the set claimed */
    public BackupId id() {
        return id;
    }

    /**
     * @return when the store says this claim was created ({@link Instant#MIN} when it could not tell): a sweep that
     *         took this claim over wrote its record at or after this moment
     */
    public Instant createdAt() {
        return createdAt;
    }

    /** @return when the store says the claim was last written (its own clock), if it can tell now */
    public Optional<Instant> storeTime() {
        return repository.stat(key).map(ObjectInfo::lastModified);
    }

    /**
     * Cheap check between objects: the claim was refreshed recently enough and never found taken.
     *
     * @throws ConflictException when the claim is lost
     */
    public void check() {
        String why = lostReason();
        if (why != null) {
            throw new ConflictException("gave up " + operation + " of " + id + " in " + repository.id() + ": " + why);
        }
    }

    /**
     * The check before a commit: {@link #check()}, plus a fresh read that the intent is still this writer's.
     *
     * @throws ConflictException when the claim is lost
     */
    public void confirm() {
        check();
        if (!stillMine()) {
            lost = "its claim " + key + " was taken over or removed by another process";
            check();
        }
    }

    /**
     * The check after a commit: whether the intent still holds this writer's token, read now.
     *
     * @return false when it was taken over or removed (or cannot be read)
     */
    public boolean held() {
        try {
            return stillMine();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private String lostReason() {
        if (lost != null) {
            return lost;
        }
        Duration since = Duration.ofNanos(System.nanoTime() - refreshedNanos);
        if (since.compareTo(settings.commitWindow()) > 0) {
            // for good: a later refresh must not make a writer that may have been judged abandoned committable again
            lost = "its claim " + key + " was last refreshed " + since.toSeconds() + " s ago, longer than the "
                    + settings.commitWindow().toSeconds() + " s commit window (another process may have judged it "
                    + "abandoned)";
        }
        return lost;
    }

    /** @return whether the intent holds this writer's token; a store that cannot be read throws */
    private boolean stillMine() {
        try (InputStream in = repository.open(key)) {
            JsonNode doc = Json.mapper().readTree(in);
            return token.equals(doc.path("token").asText());
        } catch (NotFoundException e) {
            return false;
        } catch (IOException e) { // unparseable: somebody else's bytes
            return false;
        }
    }

    private boolean stillMineOrUnknown() {
        try {
            return stillMine();
        } catch (PgVaultException e) {
            return true; // the refresher or the commit check will tell
        }
    }

    private ObjectNode body() {
        return claimBody(id, operation).put("token", token);
    }

    /**
     * @param id        the set
     * @param operation what the claim is for
     * @return the fields every claim on a set carries (a writer's and a reader's)
     */
    static ObjectNode claimBody(BackupId id, String operation) {
        ObjectNode doc = Json.mapper().createObjectNode();
        doc.put("formatVersion", 1);
        doc.put("set", id.value());
        doc.put("operation", operation);
        doc.put("pid", ProcessHandle.current().pid());
        doc.put("writtenAt", Instant.now().toString()); // the claimant's clock, for humans; ages use the store's
        return doc;
    }

    /**
     * Sleeps one refresh interval of a claim (a writer's or a reader's).
     *
     * @param settings the leases
     * @param closed   whether the claim was closed
     * @return false when it was closed or the thread interrupted: the refresher stops
     */
    static boolean awaitNextRefresh(Leases settings, java.util.function.BooleanSupplier closed) {
        if (closed.getAsBoolean()) {
            return false;
        }
        try {
            Thread.sleep(settings.refreshEvery().toMillis());
        } catch (InterruptedException e) {
            return false;
        }
        return !closed.getAsBoolean();
    }

    private void refreshLoop() {
        while (awaitNextRefresh(settings, () -> closed)) {
            try {
                if (!stillMine()) {
                    lost = "its claim " + key + " was taken over or removed by another process";
                    LOG.warn("lease {} in {} lost: {}", key, repository.id(), lost);
                    return;
                }
                long before = System.nanoTime(); // the claim is fresh from when the write began, not when it ended
                if (lostReason() != null) {
                    return;
                }
                repository.put(key, out -> Json.write(out, body()));
                refreshedNanos = before;
                lostReason(); // a write that took longer than the window does not count
            } catch (PgVaultException e) {
                LOG.warn("could not refresh lease {} in {} (will retry): {}", key, repository.id(), e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("could not refresh lease {} in {} (will retry): {}", key, repository.id(), e.toString());
            }
        }
    }

    /** Stops refreshing and removes the intent when it is still this writer's. */
    @Override
    public void close() {
        closed = true;
        refresher.interrupt();
        try {
            refresher.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (stillMine()) {
                repository.delete(key);
            }
        } catch (PgVaultException | java.io.UncheckedIOException e) {
            LOG.warn("could not remove lease {} from {} (it expires by itself): {}", key, repository.id(),
                    e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "Lease[" + key + " in " + repository.id() + "]";
    }
}
