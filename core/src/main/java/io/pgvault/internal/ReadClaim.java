package io.pgvault.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgvault.api.BackupId;
import io.pgvault.api.Leases;
import io.pgvault.api.NotFoundException;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.RepositoryLayout;
import io.pgvault.spi.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A reader's claim on a committed set: while a restore or a verification reads it, the record
 * {@code records/<id>/reading-<uuid>.json} is rewritten every {@link Leases#refreshEvery()}, and a prune stands back
 * from a set with a reading record younger than {@link Leases#expireAfter()} by the repository's clock (see
 * {@code Catalog.deleteUnlessKept}). The reader writes its record, then reads the set's records; the prune writes its
 * announcement ({@code deleting-*}), then reads the records: at least one of them sees the other, as with a pin. A
 * reader that sees a fresh announcement waits until the prune has decided (within {@link Leases#commitWindow()}): the
 * set is then either gone ({@link NotFoundException}) or kept.
 *
 * <p>A repository that cannot take the record (read-only credentials) is read without a claim: the reader is told and
 * goes on, as before claims existed; a prune may then delete the set under it.
 */
public final class ReadClaim implements AutoCloseable {
    /** The kind (and name prefix) of a reader's record. */
    public static final String KIND = "reading";
    private static final Logger LOG = LoggerFactory.getLogger(ReadClaim.class);

    private final Repository repository;
    private final BackupId id;
    private final String key;
    private final String operation;
    private final Leases settings;
    private final Thread refresher;
    private volatile boolean closed;

    private ReadClaim(Repository repository, BackupId id, String key, String operation, Leases settings) {
        this.repository = repository;
        this.id = id;
        this.key = key;
        this.operation = operation;
        this.settings = settings;
        this.refresher = key == null ? null : new Thread(this::refreshLoop, "pgvault-reading-" + id);
    }

    /**
     * Claims a set for reading.
     *
     * @param repository the store
     * @param id         a committed set
     * @param operation  what the reading is for ({@code restore}, {@code verify}), for the humans reading the record
     * @param settings   refresh and expiry
     * @return the claim: held, or holding nothing when the store would not take the record (see {@link #held()})
     * @throws NotFoundException when the set is no longer there (a prune deleted it)
     */
    public static ReadClaim acquire(Repository repository, BackupId id, String operation, Leases settings) {
        String name = KIND + "-" + UUID.randomUUID() + ".json";
        String key = RepositoryLayout.recordsPrefix(id) + name;
        try {
            repository.put(key, out -> Json.write(out, body(id, operation)));
        } catch (PgVaultException | UncheckedIOException e) {
            LOG.warn("{} of {} holds no claim on it: {} cannot be written to {} ({}); a prune meanwhile may delete "
                    + "the set", operation, id, key, repository.id(), e.getMessage());
            return new ReadClaim(repository, id, null, operation, settings);
        }
        ReadClaim claim = new ReadClaim(repository, id, key, operation, settings);
        try {
            claim.awaitNoPrune(name);
        } catch (RuntimeException | Error e) {
            claim.close();
            throw e;
        }
        claim.refresher.setDaemon(true);
        claim.refresher.start();
        return claim;
    }

    /** @return whether a record protects the set (false when the store would not take one) */
    public boolean held() {
        return key != null;
    }

    /**
     * With the record written: the set must still be committed, and an announcement of its deletion written shortly
     * before (by a prune that may not have seen the record) must be resolved, by the prune standing back or deleting.
     */
    private void awaitNoPrune(String name) {
        long deadline = System.nanoTime() + settings.commitWindow().plus(settings.refreshEvery()).toNanos();
        long pause = Math.max(10, Math.min(1_000, settings.refreshEvery().toMillis() / 4));
        boolean told = false;
        while (true) {
            Map<String, SetRecords.Entry> records = SetRecords.readOf(repository, id);
            if (repository.stat(RepositoryLayout.manifestKey(id)).isEmpty()) {
                throw new NotFoundException("backup set " + id + " is no longer in " + repository.id()
                        + " (a prune deleted it)");
            }
            Instant mine = Optional.ofNullable(records.get(name)).map(SetRecords.Entry::written).orElse(Instant.MIN);
            Instant since = mine == Instant.MIN ? Instant.MIN : mine.minus(settings.commitWindow());
            Optional<SetRecords.Entry> announced = records.values().stream()
                    .filter(e -> e.kind().equals("deleting") && !e.written().isBefore(since)).findFirst();
            if (announced.isEmpty()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                LOG.warn("{} of {}: the prune that announced its deletion ({}) neither deleted it nor stood back "
                        + "within {}; reading it (that prune stalled or died)", operation, id,
                        announced.get().name(), settings.commitWindow());
                return;
            }
            if (!told) {
                LOG.info("{} of {} waits: a prune announced its deletion ({}) and is deciding", operation, id,
                        announced.get().name());
                told = true;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PgVaultException(io.pgvault.api.ErrorCode.INTERRUPTED, operation + " of " + id
                        + " interrupted while a prune was deciding", e);
            }
        }
    }

    private static ObjectNode body(BackupId id, String operation) {
        return Lease.claimBody(id, operation).put("kind", KIND);
    }

    private void refreshLoop() {
        while (!closed) {
            try {
                Thread.sleep(settings.refreshEvery().toMillis());
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            try {
                repository.put(key, out -> Json.write(out, body(id, operation)));
            } catch (RuntimeException e) {
                LOG.warn("could not refresh the claim {} of {} in {} (will retry): {}", key, operation,
                        repository.id(), e.getMessage());
            }
        }
    }

    /** Stops refreshing and removes the record; a record that cannot be removed expires by itself. */
    @Override
    public void close() {
        if (key == null || closed) {
            return;
        }
        closed = true;
        if (refresher.isAlive()) {
            refresher.interrupt();
            try {
                refresher.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            repository.delete(key);
        } catch (RuntimeException e) {
            LOG.warn("could not remove the claim {} from {} (it expires by itself): {}", key, repository.id(),
                    e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "ReadClaim[" + (key == null ? "none on " + id : key) + " in " + repository.id() + "]";
    }
}
