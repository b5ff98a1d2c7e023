package io.pgvault.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgvault.api.BackupId;
import io.pgvault.api.Leases;
import io.pgvault.api.NotFoundException;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.RepositoryLayout;
import io.pgvault.spi.ObjectInfo;
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
    /** The fact of a reader's record saying its lease expiry in seconds (a prune honours the longer one). */
    public static final String EXPIRE_FACT = "expireAfterSeconds";
    /** How long a prune honours a record's own expiry at most: a planted record cannot keep a set for long. */
    public static final Duration MAX_EXPIRY = Duration.ofHours(6);
    private static final Logger LOG = LoggerFactory.getLogger(ReadClaim.class);
    /** How far after a reader's record an announcement can be dated and still be one its prune may have missed. */
    private static final Duration ANNOUNCE_MARGIN = Duration.ofSeconds(5);
    private static final Duration MAX_POLL = Duration.ofSeconds(5);

    private final Repository repository;
    private final BackupId id;
    private final String key;
    private final String operation;
    private final Leases settings;
    private final Thread refresher;
    private volatile boolean closed;
    private volatile long refreshedNanos;
    private boolean lapseTold;

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
        String key = RepositoryLayout.recordsPrefix(id) + KIND + "-" + UUID.randomUUID() + ".json";
        Instant mine;
        try {
            mine = write(repository, key, id, operation, settings);
        } catch (PgVaultException | UncheckedIOException e) {
            try {
                repository.delete(key); // a put that failed late may have stored the record all the same
            } catch (RuntimeException ignored) {
                // it expires by itself
            }
            LOG.warn("{} of {} holds no claim on it: {} cannot be written to {} ({}); a prune meanwhile may delete "
                    + "the set", operation, id, key, repository.id(), e.getMessage());
            return new ReadClaim(repository, id, null, operation, settings);
        }
        ReadClaim claim = new ReadClaim(repository, id, key, operation, settings);
        claim.refreshedNanos = System.nanoTime();
        claim.refresher.setDaemon(true);
        claim.refresher.start(); // fresh while the reader waits for a prune to decide, too
        try {
            claim.awaitNoPrune(mine);
        } catch (RuntimeException | Error e) {
            claim.close();
            throw e;
        }
        return claim;
    }

    /**
     * Writes the record, trying twice (a lost answer, a throttled store), and reads back its time by the store's
     * clock.
     */
    private static Instant write(Repository repository, String key, BackupId id, String operation,
            Leases settings) {
        for (int attempt = 1; ; attempt++) {
            try {
                repository.put(key, out -> Json.write(out, body(id, operation, settings)));
                return repository.stat(key).map(ObjectInfo::lastModified).orElseThrow(() -> new PgVaultException(
                        io.pgvault.api.ErrorCode.REPOSITORY, "the claim " + key + " is not there after its write"));
            } catch (PgVaultException | UncheckedIOException e) {
                if (attempt >= 2 || e instanceof PgVaultException p && p.code() == io.pgvault.api.ErrorCode.INTERRUPTED) {
                    throw e;
                }
            }
        }
    }

    /**
     * @param record   a reader's record
     * @param settings the judging process's leases
     * @return how long after its last write the record keeps its set: the longer of the judge's expiry and the one
     *         the reader wrote into it, the latter at most {@link #MAX_EXPIRY}
     */
    public static Duration expiry(SetRecords.Entry record, Leases settings) {
        Duration own = settings.expireAfter();
        try {
            Duration theirs = Duration.ofSeconds(Long.parseLong(record.facts().getOrDefault(EXPIRE_FACT, "0")));
            theirs = theirs.compareTo(MAX_EXPIRY) > 0 ? MAX_EXPIRY : theirs;
            return theirs.compareTo(own) > 0 ? theirs : own;
        } catch (NumberFormatException e) {
            return own;
        }
    }

    /** @return whether a record protects the set (false when the store would not take one) */
    public boolean held() {
        return key != null;
    }

    /**
     * With the record written at {@code mine} (the store's clock): the set must still be committed, and an
     * announcement of its deletion written shortly before (by a prune that may not have seen the record) must be
     * resolved, by the prune standing back or deleting. A prune decides within the commit window of its announcement
     * (or stands back), and deletes the manifest first: so the wait ends at the latest a commit window (plus a refresh
     * interval's margin) after the announcement. Announcements dated well after the record (a prune that announced
     * later sees the record and stands back; a planted one is no prune at all) are not waited for.
     */
    private void awaitNoPrune(Instant mine) {
        Duration margin = settings.commitWindow().compareTo(ANNOUNCE_MARGIN) < 0 ? settings.commitWindow()
                : ANNOUNCE_MARGIN;
        Instant from = mine.minus(settings.commitWindow());
        Instant to = mine.plus(margin);
        long started = System.nanoTime();
        long pause = 20;
        boolean told = false;
        while (true) {
            Map<String, SetRecords.Entry> records = SetRecords.readOf(repository, id);
            if (repository.stat(RepositoryLayout.manifestKey(id)).isEmpty()) {
                throw new NotFoundException("backup set " + id + " is no longer in " + repository.id()
                        + " (a prune deleted it)");
            }
            Optional<SetRecords.Entry> announced = records.values().stream()
                    .filter(e -> e.kind().equals("deleting") && !e.written().isBefore(from)
                            && !e.written().isAfter(to))
                    .max(java.util.Comparator.comparing(SetRecords.Entry::written));
            if (announced.isEmpty()) {
                return;
            }
            Duration allowance = settings.commitWindow().minus(Duration.between(announced.get().written(), mine))
                    .plus(settings.refreshEvery());
            if (Duration.ofNanos(System.nanoTime() - started).compareTo(allowance) > 0) {
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
            pause = Math.min(pause * 2, MAX_POLL.toMillis());
        }
    }

    private static ObjectNode body(BackupId id, String operation, Leases settings) {
        return Lease.claimBody(id, operation).put("kind", KIND)
                .put(EXPIRE_FACT, settings.expireAfter().toSeconds());
    }

    private void refreshLoop() {
        while (Lease.awaitNextRefresh(settings, () -> closed)) {
            long before = System.nanoTime();
            try {
                repository.put(key, out -> Json.write(out, body(id, operation, settings)));
                refreshedNanos = before;
            } catch (RuntimeException e) {
                boolean lapsed = Duration.ofNanos(System.nanoTime() - refreshedNanos)
                        .compareTo(settings.expireAfter()) > 0;
                if (lapsed && !lapseTold) {
                    lapseTold = true;
                    LOG.error("the claim {} of {} in {} could not be refreshed for longer than {}: a prune may now "
                            + "delete {} under the {} ({})", key, operation, repository.id(), settings.expireAfter(),
                            id, operation, e.getMessage());
                } else {
                    LOG.warn("could not refresh the claim {} of {} in {} (will retry): {}", key, operation,
                            repository.id(), e.getMessage());
                }
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
