package io.pgvault.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.pgvault.api.retention.Pin;
import io.pgvault.internal.Json;
import io.pgvault.internal.ManifestSeal;
import io.pgvault.internal.ReadClaim;
import io.pgvault.internal.RepositoryClock;
import io.pgvault.internal.SetRecords;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectKeys;
import io.pgvault.spi.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The backup sets stored in one repository, laid out as {@link RepositoryLayout} says. A set exists exactly when its
 * manifest does; the manifest is written last, create-only, and never rewritten: later facts (verified, pinned) are
 * append-only records folded in when the catalog is read. Every manifest is validated on read; one that fails is
 * reported as {@linkplain DamagedManifest damaged} and never hides the others. Safe with any number of writers in any
 * number of processes (ADR 0002): objects of a set in progress are protected by its writer's lease, and debris is
 * judged by the repository's own clock.
 *
 * @since 0.1.0
 */
public final class Catalog {
    private static final Logger LOG = LoggerFactory.getLogger(Catalog.class);
    /** How far in the future of the repository's (or the planner's) clock a set may start and still count. */
    public static final Duration SKEW_TOLERANCE = Duration.ofMinutes(5);

    private static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    /** The largest manifest read (a set of about 100,000 objects); a larger one is damaged, never read whole. */
    public static final long MAX_MANIFEST_BYTES = 64L * 1024 * 1024;

    private final Repository repository;
    private final Leases leases;
    private final ManifestSeal seal;

    /**
     * A catalog without a key: it signs nothing and proves no set authentic.
     *
     * @param repository where the sets live; default {@link Leases}
     */
    public Catalog(Repository repository) {
        this(repository, Leases.defaults());
    }

    /**
     * A catalog without a key: it signs nothing and proves no set authentic.
     *
     * @param repository where the sets live
     * @param leases     how long a writer's claim protects a set in progress
     * @since 0.3.0
     */
    public Catalog(Repository repository, Leases leases) {
        this(repository, leases, ManifestSeal.none());
    }

    /**
     * A catalog that signs the manifests it commits and proves those it reads with the key {@code keys} gives: its
     * integrity key, else one derived from its encryption secret (ADR 0013).
     *
     * @param repository where the sets live
     * @param leases     how long a writer's claim protects a set in progress
     * @param keys       the pipeline whose integrity key or encryption secret authenticates manifests
     * @since 0.4.0
     */
    public Catalog(Repository repository, Leases leases, PipelineOptions keys) {
        this(repository, leases, ManifestSeal.of(Objects.requireNonNull(keys, "keys"), repository));
    }

    private Catalog(Repository repository, Leases leases, ManifestSeal seal) {
        this.repository = Objects.requireNonNull(repository, "repository");
        this.leases = Objects.requireNonNull(leases, "leases");
        this.seal = seal;
    }

    /**
     * Checks, before a writer produces anything, that the manifest it will commit can be signed (with a passphrase:
     * the repository's key salt is usable or can be created; ADR 0013).
     *
     * @throws IntegrityException when it cannot
     * @since 0.4.0
     */
    public void checkCanSign() {
        seal.checkCanSign();
    }

    /**
     * @return whether this catalog signs what it commits (it has an integrity key or an encryption secret)
     * @since 0.4.0
     */
    public boolean signs() {
        return seal.canSign();
    }

    /** @return the repository */
    public Repository repository() {
        return repository;
    }

    /**
     * @return the lease settings this catalog judges sets in progress with
     * @since 0.3.0
     */
    public Leases leases() {
        return leases;
    }

    /**
     * @param id a set
     * @return the key of its manifest
     */
    public static String manifestKey(BackupId id) {
        return RepositoryLayout.manifestKey(id);
    }

    /**
     * @param id a set
     * @return the key prefix under which its objects live, ending in {@code /}
     */
    public static String dataPrefix(BackupId id) {
        return RepositoryLayout.dataPrefix(id);
    }

    /**
     * @param set a set
     * @param now a point in time (a planner's clock, or the repository's)
     * @return whether the set claims to start later than {@code now} plus {@link #SKEW_TOLERANCE}: a clock ahead or a
     *         forged manifest; such a set is never the newest, never a fresh backup
     * @since 0.3.0
     */
    public static boolean datedInFuture(BackupSet set, Instant now) {
        return set.startedAt().isAfter(now.plus(SKEW_TOLERANCE));
    }

    /**
     * Reads every manifest, validates it and folds in its records.
     *
     * @return the valid sets, oldest first, and the damaged manifests
     * @since 0.3.0
     */
    public CatalogScan scan() {
        List<BackupSet> sets = new ArrayList<>();
        List<DamagedManifest> damaged = new ArrayList<>();
        List<ObjectInfo> manifests = repository.list(RepositoryLayout.MANIFESTS);
        Map<String, Map<String, SetRecords.Entry>> records = manifests.isEmpty() ? Map.of()
                : SetRecords.readAll(repository);
        for (ObjectInfo info : manifests) {
            Optional<String> name = RepositoryLayout.manifestName(info.key());
            if (name.isEmpty()) {
                continue;
            }
            try {
                if (info.size() > MAX_MANIFEST_BYTES) {
                    throw new IntegrityException("manifest " + info.key() + " has " + info.size() + " bytes, more "
                            + "than the " + MAX_MANIFEST_BYTES + " a manifest may have; it is not read");
                }
                BackupSet set = read(info.key(), name.get());
                sets.add(SetRecords.fold(set, records.get(name.get()), this::authenticRecord));
            } catch (NotFoundException e) {
                LOG.debug("manifest {} vanished while listing (concurrent prune)", info.key());
            } catch (IntegrityException e) {
                LOG.warn("damaged manifest {} in {} is not listed: {}", info.key(), repository.id(), e.getMessage());
                damaged.add(new DamagedManifest(info.key(), e.getMessage()));
            }
        }
        sets.sort(Comparator.comparing(BackupSet::startedAt).thenComparing(BackupSet::id));
        return new CatalogScan(sets, damaged);
    }

    /**
     * Lists every committed, valid set, oldest first. A manifest that fails validation is reported in the log (and
     * by {@link #scan()}) and skipped, so one damaged manifest does not hide the others.
     *
     * @return the sets
     */
    public List<BackupSet> list() {
        return scan().sets();
    }

    /**
     * @param id a set
     * @return the set, if its manifest exists
     * @throws IntegrityException when its manifest exists but fails validation
     */
    public Optional<BackupSet> find(BackupId id) {
        String key = manifestKey(id);
        if (repository.stat(key).isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(SetRecords.fold(read(key, id.value()), SetRecords.readOf(repository, id),
                    this::authenticRecord));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * Commits a set by writing its manifest, create-only. Call only after every object it lists is durable.
     *
     * @param set the set to commit
     * @throws IntegrityException when the set is invalid, an object is missing or differs from what the set records,
     *                            or the set starts in the future of the repository's clock
     * @throws ConflictException  when a manifest for this id already exists
     */
    public void commit(BackupSet set) {
        commit(set, () -> { }, () -> true);
    }

    /**
     * Commits a set as {@link #commit(BackupSet)} does, running {@code beforeManifest} right before the manifest is
     * written (a writer confirms there that its claim on the set still holds; throwing refuses the commit).
     *
     * <p>{@code stillClaimed} runs right after the manifest is written: a writer reads its claim again, and when it
     * is gone (a sweep judged the set abandoned and removed the claim before looking for the manifest) the manifest
     * is removed again and the commit fails. The sweep does the mirror image ({@link #removeDebris}: remove the
     * claim, then look for the manifest), so the two never both go ahead.
     *
     * @param set            the set to commit
     * @param beforeManifest the last check; throws to refuse
     * @param stillClaimed   whether the writer's claim still holds after the manifest was written
     * @throws ConflictException when the claim was lost around the commit (the manifest was removed again)
     * @since 0.3.0
     */
    public void commit(BackupSet set, Runnable beforeManifest, java.util.function.BooleanSupplier stillClaimed) {
        commit(set, beforeManifest, stillClaimed, Instant.MIN);
    }

    /**
     * Commits as {@link #commit(BackupSet, Runnable, java.util.function.BooleanSupplier)} does, and takes the manifest
     * back when a debris sweep announced, at or after {@code claimedSince}, that it judges the set's objects.
     *
     * @param set            the set
     * @param beforeManifest runs just before the manifest is written (the writer confirms its claim)
     * @param stillClaimed   after the manifest is written: whether the writer's claim still holds
     * @param claimedSince   the store time the writer's claim was created
     * @since 0.6.0
     */
    public void commit(BackupSet set, Runnable beforeManifest, java.util.function.BooleanSupplier stillClaimed,
            Instant claimedSince) {
        String problem = problem(set.id().value(), set);
        if (problem != null) {
            throw new IntegrityException("cannot commit set " + set.id() + ": " + problem);
        }
        for (StoredObject o : set.objects()) {
            ObjectInfo info = repository.stat(o.key()).orElseThrow(() -> new IntegrityException(
                    "cannot commit set " + set.id() + ": object " + o.key() + " is missing"));
            if (info.size() != o.storedBytes()) {
                throw new IntegrityException("cannot commit set " + set.id() + ": object " + o.key() + " has "
                        + info.size() + " bytes, expected " + o.storedBytes());
            }
            if (info.sha256().isPresent() && !info.sha256().get().equalsIgnoreCase(o.storedSha256())) {
                throw new IntegrityException("cannot commit set " + set.id() + ": object " + o.key()
                        + " has SHA-256 " + info.sha256().get() + ", expected " + o.storedSha256()
                        + " (replaced by another writer?)");
            }
        }
        Instant repositoryNow = RepositoryClock.now(repository);
        if (datedInFuture(set, repositoryNow)) {
            throw new IntegrityException("cannot commit set " + set.id() + ": it starts at " + set.startedAt()
                    + ", after the repository's clock (" + repositoryNow + ") by more than " + SKEW_TOLERANCE
                    + ": clock skew between this host and " + repository.id());
        }
        beforeManifest.run();
        byte[] doc = manifestBytes(set);
        if (repository.putIfAbsent(manifestKey(set.id()), out -> out.write(doc)).isEmpty()) {
            throw new ConflictException("set " + set.id() + " is already committed in " + repository.id()
                    + " (another writer used the same id); this commit wrote nothing");
        }
        boolean held = false;
        for (int attempt = 0; attempt < 3 && !held; attempt++) {
            held = stillClaimed.getAsBoolean(); // false also when the claim cannot be read: retried a little
            if (!held && attempt < 2) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (!held || swept(set.id(), claimedSince)) {
            repository.delete(manifestKey(set.id()));
            throw new ConflictException("set " + set.id() + " in " + repository.id() + " lost its writer's claim "
                    + "while it was being committed (a sweep judged it abandoned" + (held ? " and may have removed "
                    + "its objects" : "") + "); the manifest was removed again");
        }
    }

    /**
     * @return whether a debris sweep announced it judges the set's objects; a store that cannot list the set's
     *         records now is asked three times, then taken at its claim's word (the claim was just confirmed)
     */
    private boolean swept(BackupId id, Instant since) {
        for (int attempt = 0; ; attempt++) {
            try {
                return SetRecords.swept(repository, id, since);
            } catch (RuntimeException e) {
                if (attempt == 2) {
                    LOG.warn("set {} in {}: cannot list its records to rule out a concurrent debris sweep ({}); its"
                            + " claim held, so it stays committed", id, repository.id(), e.toString());
                    return false;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
    }

    /**
     * Records that a set was proven intact or restorable, as an append-only record (the manifest is not rewritten,
     * so a concurrent pin or prune is never undone).
     *
     * @param id the set
     * @param at when
     * @throws NotFoundException when the set is not committed
     * @since 0.3.0
     */
    public void recordVerified(BackupId id, Instant at) {
        requireCommitted(id);
        SetRecords.verified(repository, id, at);
    }

    /**
     * Pins a set with an append-only record; every plan keeps it while the pin holds.
     *
     * @param id  the set
     * @param pin the pin
     * @throws NotFoundException when the set is not committed
     * @since 0.3.0
     */
    public void pin(BackupId id, Pin pin) {
        requireCommitted(id);
        String name = SetRecords.pin(repository, id, pin);
        Map<String, SetRecords.Entry> records = SetRecords.readOf(repository, id);
        SetRecords.Entry mine = records.get(name);
        Instant since = mine == null ? Instant.MIN : mine.written().minus(leases.expireAfter());
        boolean deleting = records.values().stream()
                .anyMatch(e -> e.kind().equals("deleting") && !e.written().isBefore(since));
        if (deleting || repository.stat(manifestKey(id)).isEmpty()) {
            throw new ConflictException("set " + id + " in " + repository.id() + " is being deleted by a prune; "
                    + "the pin may not hold: list the set and pin it again if it is still there");
        }
    }

    /**
     * Revokes the pins of a set seen now (a pin added concurrently by another process stays).
     *
     * @param id the set
     * @throws NotFoundException when the set is not committed
     * @since 0.3.0
     */
    public void unpin(BackupId id) {
        requireCommitted(id);
        SetRecords.unpin(repository, id, SetRecords.readOf(repository, id), seal);
    }

    /**
     * Records what {@code set} adds as append-only records: a different {@code lastVerified}, and a pin it carries
     * that the set does not have now (as {@code Pin.applyTo} + {@code update} did in 0.1). A pin is never removed this
     * way, because {@code set} may be a snapshot read before another process pinned the set: use {@link #unpin}. (A
     * snapshot read while the set was pinned can therefore pin it again after an unpin: it errs towards keeping.)
     * Nothing else of a committed set can change.
     *
     * @param set the updated set
     * @throws NotFoundException  when the set is not committed
     * @throws IntegrityException when anything but {@code lastVerified} or the pin attribute differs
     * @deprecated since 0.3.0: use {@link #recordVerified}, {@link #pin} and {@link #unpin}, which say what they
     *             record and never act on a stale snapshot
     */
    @Deprecated(since = "0.3.0")
    public void update(BackupSet set) {
        BackupSet current = find(set.id()).orElseThrow(() -> new NotFoundException(
                "no backup set " + set.id() + " in " + repository.id()));
        Map<String, String> a = new HashMap<>(current.attributes());
        Map<String, String> b = new HashMap<>(set.attributes());
        Optional<String> oldPin = Optional.ofNullable(a.remove(Pin.ATTRIBUTE));
        Optional<String> newPin = Optional.ofNullable(b.remove(Pin.ATTRIBUTE));
        BackupSet x = new BackupSet(current.id(), current.strategy(), current.type(), current.status(),
                current.source(), current.startedAt(), current.finishedAt(), current.dependsOn(), current.objects(),
                a, Optional.empty());
        BackupSet y = new BackupSet(set.id(), set.strategy(), set.type(), set.status(), set.source(),
                set.startedAt(), set.finishedAt(), set.dependsOn(), set.objects(), b, Optional.empty());
        if (!x.equals(y)) {
            throw new IntegrityException("a committed manifest is never rewritten: only lastVerified and the pin of "
                    + set.id() + " can be recorded");
        }
        if (set.lastVerified().isPresent() && !set.lastVerified().equals(current.lastVerified())) {
            SetRecords.verified(repository, set.id(), set.lastVerified().get());
        }
        if (newPin.isPresent() && !newPin.equals(oldPin)) {
            SetRecords.pin(repository, set.id(), Pin.parse(newPin.get())); // erring towards keeping the set
        }

    }

    /**
     * Deletes a set: the manifest first (so it is never listed half-deleted), then its objects and records.
     *
     * @param id the set
     */
    public void delete(BackupId id) {
        repository.delete(manifestKey(id));
        deleteObjects(id);
        for (ObjectInfo info : repository.list(RepositoryLayout.recordsPrefix(id))) {
            repository.delete(info.key());
        }
    }

    /**
     * Deletes a set as a prune does, unless it is pinned at {@code now}: announces the deletion with a record, reads
     * the set's records again, and stands back when a pin (perhaps written a moment ago by another process) holds.
     * With {@link #pin} doing the mirror image (write, then read), a pin and a prune never both succeed.
     *
     * @param id  the set
     * @param now the instant pins are judged at (the plan's)
     * @return whether the set was deleted; false when it was pinned, being read or already gone
     * @since 0.3.0
     */
    public boolean deleteUnlessPinned(BackupId id, Instant now) {
        return deleteUnlessKept(id, now).isEmpty();
    }

    /**
     * Deletes a set as a prune does, unless something keeps it: announces the deletion with a record, reads the
     * set's records again, and stands back when a pin holds at {@code now} or a restore or verification is reading
     * the set (its claim, refreshed, is younger than the lease expiry by the repository's clock). A pin and a reader
     * do the mirror image (write, then read), so a prune never deletes a set under either.
     *
     * @param id  the set
     * @param now the instant pins are judged at (the plan's)
     * @return empty when the set was deleted, else why it was kept
     * @since 0.6.0
     */
    public Optional<String> deleteUnlessKept(BackupId id, Instant now) {
        if (repository.stat(manifestKey(id)).isEmpty()) {
            return Optional.of("removed by another process meanwhile");
        }
        long announced = System.nanoTime();
        String tombstone = SetRecords.deleting(repository, id);
        Optional<BackupSet> current;
        boolean pinned;
        Optional<String> reader;
        try {
            try {
                current = find(id);
            } catch (IntegrityException e) {
                current = Optional.empty(); // damaged meanwhile: leave it to an operator
            }
            pinned = current.flatMap(s -> s.attribute(Pin.ATTRIBUTE)).map(raw -> {
                try {
                    return Pin.parse(raw).activeAt(now);
                } catch (ConfigurationException e) {
                    return true; // an unreadable pin keeps the set, as every plan does
                }
            }).orElse(false);
            reader = current.isEmpty() || pinned ? Optional.empty() : reader(id, tombstone);
        } catch (RuntimeException | Error e) {
            try {
                repository.delete(tombstone); // the announcement would hold up pins and readers for nothing
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        // a pin ignores announcements older than the lease expiry: a prune that stalled that long looks again later
        boolean stale = Duration.ofNanos(System.nanoTime() - announced).compareTo(leases.commitWindow()) > 0;
        if (current.isEmpty() || pinned || reader.isPresent() || stale) {
            repository.delete(tombstone);
            return Optional.of(current.isEmpty() ? "removed or damaged by another process meanwhile"
                    : pinned ? "pinned since the plan was made"
                    : reader.isPresent() ? "being read (" + reader.get() + ")"
                    : "the prune stalled longer than the commit window between announcing and deciding");
        }
        delete(id);
        return Optional.empty();
    }

    /**
     * @return a reader's claim on the set that was live when the deletion was announced (younger than the lease
     *         expiry, by the repository's clock), as its record's name and operation
     */
    private Optional<String> reader(BackupId id, String tombstone) {
        Map<String, SetRecords.Entry> records = SetRecords.readOf(repository, id);
        SetRecords.Entry announcement = records.get(tombstone.substring(tombstone.lastIndexOf('/') + 1));
        // without its own announcement in the listing the prune cannot date it: every reading record then counts.
        // A record dated after the decision window is no reader this prune could have raced (a planted date)
        return records.values().stream()
                .filter(e -> e.kind().equals(ReadClaim.KIND))
                .filter(e -> announcement == null || !e.written().plus(ReadClaim.expiry(e, leases))
                        .isBefore(announcement.written())
                        && !e.written().isAfter(announcement.written().plus(leases.commitWindow())))
                .map(e -> e.name() + (e.facts().containsKey("operation") ? ", " + e.facts().get("operation") : ""))
                .findFirst();
    }

    /**
     * Lists debris: objects of sets that have neither a manifest (valid or damaged) nor a live writer's claim, older
     * than {@code grace} by the repository's own clock; expired claims of writers and readers; and clock probes left
     * by killed processes.
     * The listing order (claims, then objects, then manifests) and the repository clock make this safe against
     * writers that start or commit while it runs.
     *
     * @param grace minimum age of an object, by the repository's clock
     * @return the keys, sorted
     * @since 0.3.0
     */
    public List<String> debris(Duration grace) {
        if (grace.isNegative()) {
            throw new ConfigurationException("debris grace must not be negative, was " + grace);
        }
        Instant now = RepositoryClock.now(repository);
        Set<String> live = new HashSet<>();
        Set<String> debris = new TreeSet<>();
        List<ObjectInfo> intents = repository.list(RepositoryLayout.INTENTS);
        live.addAll(liveWriters(intents, now));
        for (ObjectInfo info : intents) {
            if (expired(info, now)) {
                debris.add(info.key());
            }
        }
        List<ObjectInfo> objects = new ArrayList<>(repository.list(RepositoryLayout.DATA));
        objects.addAll(repository.list(RepositoryLayout.RECORDS));
        Set<String> committed = new HashSet<>();
        for (ObjectInfo info : repository.list(RepositoryLayout.MANIFESTS)) {
            RepositoryLayout.manifestName(info.key()).ifPresent(committed::add);
        }
        Map<String, Optional<Set<String>>> referenced = new HashMap<>();
        Instant threshold = now.minus(grace);
        for (ObjectInfo info : objects) {
            boolean data = info.key().startsWith(RepositoryLayout.DATA);
            String owner = RepositoryLayout.owner(data ? RepositoryLayout.DATA : RepositoryLayout.RECORDS,
                    info.key()).orElse("");
            if (!data && info.key().startsWith(RepositoryLayout.RECORDS + owner + "/" + ReadClaim.KIND + "-")) {
                if (deadReader(owner, info, now)) {
                    debris.add(info.key()); // the claim of a reader that was killed (or a planted date)
                }
                continue;
            }
            if (live.contains(owner) || !info.lastModified().isBefore(threshold)) {
                continue;
            }
            if (!committed.contains(owner)) {
                debris.add(info.key());
            } else if (data && referenced.computeIfAbsent(owner, this::referencedKeys)
                    .filter(keys -> !keys.contains(info.key())).isPresent()) {
                debris.add(info.key()); // left by a copier that lost the race for this set, or a finished journal
            }
        }
        for (ObjectInfo info : repository.list(RepositoryLayout.CLOCK)) {
            if (expired(info, now)) {
                debris.add(info.key());
            }
        }
        return new ArrayList<>(debris);
    }

    /**
     * @param modifiedBefore ignored beyond its distance from the local clock, taken as the grace period
     * @return {@link #debris(Duration)} with that grace
     * @deprecated since 0.3.0: object ages are judged by the repository's clock; use {@link #debris(Duration)}
     */
    @Deprecated(since = "0.3.0")
    public List<String> debris(Instant modifiedBefore) {
        Duration grace = Duration.between(modifiedBefore, Instant.now());
        return debris(grace.isNegative() ? Duration.ZERO : grace);
    }

    /**
     * Incomplete writes (S3 multipart uploads a killed process left) of pgvault's own objects that no live process
     * is writing: under {@code data/} of a set with no live writer's claim, started before {@code grace} ago by the
     * repository's clock. Another tool's uploads in a shared bucket, and the uploads of a backup in progress however
     * long it runs, are never among them.
     *
     * @param grace minimum age, by the repository's clock
     * @return the abandoned writes
     * @since 0.5.0
     */
    public List<io.pgvault.spi.IncompleteWrite> abandonedWrites(Duration grace) {
        if (grace.isNegative()) {
            throw new ConfigurationException("debris grace must not be negative, was " + grace);
        }
        List<io.pgvault.spi.IncompleteWrite> writes = repository.incompleteWrites(RepositoryLayout.DATA);
        if (writes.isEmpty()) {
            return List.of();
        }
        Instant now = RepositoryClock.now(repository);
        Set<String> live = liveWriters(repository.list(RepositoryLayout.INTENTS), now);
        Instant threshold = now.minus(grace);
        List<io.pgvault.spi.IncompleteWrite> abandoned = new ArrayList<>();
        for (io.pgvault.spi.IncompleteWrite w : writes) {
            Optional<String> owner = RepositoryLayout.owner(RepositoryLayout.DATA, w.key());
            if (owner.isPresent() && !live.contains(owner.get()) && w.started().isBefore(threshold)) {
                abandoned.add(w);
            }
        }
        return abandoned;
    }

    /**
     * Aborts {@link #abandonedWrites(Duration)}; part of every prune.
     *
     * @param grace minimum age, by the repository's clock
     * @return one line per aborted write: {@code <key> (incomplete upload started <time>)}
     * @since 0.5.0
     */
    public List<String> abortAbandonedWrites(Duration grace) {
        List<String> aborted = new ArrayList<>();
        for (io.pgvault.spi.IncompleteWrite w : abandonedWrites(grace)) {
            repository.abortIncompleteWrite(w);
            aborted.add(describe(w));
        }
        return aborted;
    }

    /**
     * @param write an incomplete write
     * @return how prune reports list it
     * @since 0.5.0
     */
    public static String describe(io.pgvault.spi.IncompleteWrite write) {
        return write.key() + " (incomplete upload started " + write.started() + ")";
    }

    /** @return the sets whose writer's claim (intent) is younger than a lease's expiry, by the repository's clock */
    private Set<String> liveWriters(List<ObjectInfo> intents, Instant now) {
        Set<String> live = new HashSet<>();
        for (ObjectInfo info : intents) {
            Optional<String> name = RepositoryLayout.intentName(info.key());
            if (name.isPresent() && !expired(info, now)) {
                live.add(name.get());
            }
        }
        return live;
    }

    /** @return whether a claim (intent) or clock probe is older than a lease's expiry, by the repository's clock */
    /**
     * @return whether a reader's record keeps nothing: older than its expiry (see {@link ReadClaim#expiry}), or dated
     *         beyond the commit window in the store's future, which no reader writes
     */
    private boolean deadReader(String owner, ObjectInfo info, Instant now) {
        if (info.lastModified().isAfter(now.plus(leases.commitWindow()))) {
            return true;
        }
        if (!expired(info, now)) {
            return false;
        }
        BackupId id;
        try {
            id = BackupId.of(owner);
        } catch (ConfigurationException e) {
            return true;
        }
        Duration expiry = SetRecords.readOne(repository, id, info).map(e -> ReadClaim.expiry(e, leases))
                .orElse(leases.expireAfter());
        return Duration.between(info.lastModified(), now).compareTo(expiry) > 0;
    }

    private boolean expired(ObjectInfo info, Instant now) {
        return Duration.between(info.lastModified(), now).compareTo(leases.expireAfter()) > 0;
    }

    /**
     * Removes debris older than {@code grace} (see {@link #debris(Duration)}).
     *
     * @param grace minimum age of an object to remove, by the repository's clock
     * @return the keys removed
     */
    public List<String> removeDebris(Duration grace) {
        List<String> candidates = debris(grace);
        Map<String, List<String>> byOwner = new java.util.LinkedHashMap<>();
        List<String> removed = new ArrayList<>();
        for (String key : candidates) {
            Optional<String> owner = RepositoryLayout.intentName(key)
                    .or(() -> RepositoryLayout.owner(RepositoryLayout.DATA, key))
                    .or(() -> RepositoryLayout.owner(RepositoryLayout.RECORDS, key));
            BackupId id = owner.flatMap(Catalog::idOrEmpty).orElse(null);
            if (id == null) {
                repository.delete(key); // a clock probe, or a key no set of pgvault's can own
                removed.add(key);
            } else {
                byOwner.computeIfAbsent(id.value(), k -> new ArrayList<>()).add(key);
            }
        }
        for (Map.Entry<String, List<String>> e : byOwner.entrySet()) {
            removed.addAll(sweep(BackupId.of(e.getKey()), e.getValue()));
        }
        if (!removed.isEmpty()) {
            LOG.info("removed {} debris object(s) from {}", removed.size(), repository.id());
        }
        return removed;
    }

    /**
     * Removes the debris of one set while holding a claim on it, as a writer would: a writer that starts or resumes
     * the set meanwhile finds it claimed and waits for the next round, and a writer whose expired claim is taken
     * over here sees that when it tries to commit. Only then is the manifest read, and what it names is kept.
     */
    private List<String> sweep(BackupId id, List<String> keys) {
        Optional<io.pgvault.internal.Lease> claim = io.pgvault.internal.Lease.tryAcquire(repository, id, "sweep",
                leases);
        if (claim.isEmpty()) {
            return List.of(); // a live writer holds it now
        }
        List<String> removed = new ArrayList<>();
        try (io.pgvault.internal.Lease held = claim.get()) {
            try {
                held.confirm(); // another process taking over the same expired claim a moment later wins instead
            } catch (ConflictException e) {
                return List.of();
            }
            keys.stream().filter(k -> k.startsWith(RepositoryLayout.INTENTS)).forEach(removed::add); // taken over
            String record = null;
            if (keys.stream().anyMatch(k -> k.startsWith(RepositoryLayout.DATA))) {
                // before the manifest is read: a writer that still commits (its claim rewritten after this took it
                // over, by a refresh already under way) finds this and takes its manifest back
                record = SetRecords.sweeping(repository, id);
            }
            boolean committed = repository.stat(manifestKey(id)).isPresent();
            Optional<Set<String>> named = committed ? referencedKeys(id.value()) : Optional.of(Set.of());
            try {
                held.confirm(); // a refresh that rewrote the claim since: its writer lives, nothing of it goes
            } catch (ConflictException e) {
                named = Optional.empty();
            }
            if (named.isEmpty()) {
                forget(record); // nothing deleted: no writer needs to take anything back
                return removed; // committed but unreadable, or its writer lives: nothing of it goes
            }
            for (String key : keys) {
                if (!key.startsWith(RepositoryLayout.INTENTS) && !named.get().contains(key)) {
                    repository.delete(key);
                    removed.add(key);
                }
            }
            if (committed) {
                forget(record); // what the manifest names was kept: the committed set is whole
            }
        }
        return removed;
    }

    /** Removes a sweep's record once it can mislead no writer (left for the next sweep if that fails). */
    private void forget(String record) {
        if (record == null) {
            return;
        }
        try {
            repository.delete(record);
        } catch (RuntimeException e) {
            LOG.debug("the sweep's record {} stays until the next sweep: {}", record, e.toString());
        }
    }

    private static Optional<BackupId> idOrEmpty(String value) {
        try {
            return Optional.of(BackupId.of(value));
        } catch (ConfigurationException e) {
            return Optional.empty();
        }
    }

    /**
     * Deletes every object under a set's data prefix (the manifest is untouched).
     *
     * @param id the set
     */
    void deleteObjects(BackupId id) {
        for (ObjectInfo info : repository.list(dataPrefix(id))) {
            repository.delete(info.key());
        }
    }

    /** @return the keys a committed set's manifest names; empty when it cannot be read (then keep every key) */
    private Optional<Set<String>> referencedKeys(String owner) {
        try {
            // with its records: a key file a rotation wrote is the set's, though the manifest does not name it; only a
            // signed rekey record takes the manifest's key file out of the set, and a file any rekey record names is
            // kept (a planted record cannot make this delete the key file the set needs)
            Map<String, SetRecords.Entry> records = SetRecords.readOf(repository, BackupId.of(owner));
            BackupSet set = SetRecords.fold(read(RepositoryLayout.MANIFESTS + owner + ".json", owner), records,
                    this::authenticRecord);
            if (seal.canSign() && !set.authenticity().proven()) {
                // a manifest this catalog cannot authenticate does not say what of data/<id>/ is debris: one planted
                // over a real set, listing nothing, would otherwise hand every object of it to the sweep
                return Optional.empty();
            }
            Set<String> keys = new HashSet<>(SetRecords.rekeyFiles(records));
            set.objects().forEach(o -> keys.add(o.key()));
            return Optional.of(keys);
        } catch (PgVaultException e) {
            return Optional.empty(); // damaged or vanished: an operator decides, nothing of it is debris
        }
    }

    /** Unsigned records this catalog has said it ignores. */
    private final Set<String> unsignedReported = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @return whether a rekey or unpin record is signed with this catalog's key (ADR 0013): only then does it move a
     *         key file or release a pin. A catalog with no key cannot tell, and honours unpins as before.
     */
    private boolean authenticRecord(BackupId id, SetRecords.Entry record) {
        boolean unpin = record.kind().equals("unpin");
        if (!seal.canSign()) {
            return unpin;
        }
        String auth = record.facts().getOrDefault("auth", "");
        if (auth.isEmpty()) {
            if (unsignedReported.add(id + "/" + record.name())) { // once per record and catalog: listings repeat
                LOG.info("{} record {} of set {} in {} is ignored: it is not signed (planted, or written before 0.6.0;"
                        + " unpin the set again to release its pins)", record.kind(), record.name(), id,
                        repository.id());
            }
            return false;
        }
        try {
            ManifestSeal.Verdict verdict = unpin
                    ? seal.verify(SetRecords.recordName("unpin", id, record.name()), 1,
                            SetRecords.unpinPayload(id, record.revokes()), Json.mapper().readTree(auth))
                    : seal.verify(SetRecords.rekeyName(id, record.name()), 1,
                            SetRecords.rekeyPayload(id, record.facts()), Json.mapper().readTree(auth));
            if (verdict.authenticity() != Authenticity.AUTHENTICATED) {
                LOG.warn("{} record {} of set {} in {} is ignored: {}", record.kind(), record.name(), id,
                        repository.id(), verdict.reason());
                return false;
            }
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("{} record {} of set {} in {} is ignored: {}", record.kind(), record.name(), id, repository.id(),
                    e.toString());
            return false;
        }
    }

    /** @return the key records of this catalog are signed with (a key rotation signs its rekey records) */
    ManifestSeal seal() {
        return seal;
    }

    private void requireCommitted(BackupId id) {
        if (repository.stat(manifestKey(id)).isEmpty()) {
            throw new NotFoundException("no backup set " + id + " in " + repository.id());
        }
    }

    /**
     * {@code {"formatVersion":N,"set":{...},"auth":{...}}}: the MAC in {@code auth} covers the exact bytes of the
     * {@code set} member, which are written and read back byte for byte (no canonical form to agree on).
     */
    private byte[] manifestBytes(BackupSet set) {
        try {
            byte[] setBytes = Json.mapper().writeValueAsBytes(set.withAuthenticity(Authenticity.UNSIGNED));
            ByteArrayOutputStream out = new ByteArrayOutputStream(setBytes.length + 512);
            out.write(("{\"formatVersion\":" + BackupSet.FORMAT_VERSION + ",\"set\":")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(setBytes);
            if (seal.canSign()) {
                out.write(",\"auth\":".getBytes(StandardCharsets.US_ASCII));
                out.write(Json.mapper().writer().without(com.fasterxml.jackson.databind.SerializationFeature
                        .INDENT_OUTPUT).writeValueAsBytes(seal.sign(set.id().value(), BackupSet.FORMAT_VERSION,
                        setBytes)));
            }
            out.write("}\n".getBytes(StandardCharsets.US_ASCII));
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize the manifest of " + set.id(), e);
        }
    }

    private BackupSet read(String key, String name) {
        byte[] bytes;
        try (InputStream in = repository.open(key)) {
            bytes = in.readNBytes((int) MAX_MANIFEST_BYTES + 1);
        } catch (IOException e) {
            throw new IntegrityException("cannot read manifest " + key + " in " + repository.id() + ": "
                    + e.getMessage(), e);
        }
        if (bytes.length > MAX_MANIFEST_BYTES) {
            throw new IntegrityException("manifest " + key + " in " + repository.id() + " is larger than the "
                    + MAX_MANIFEST_BYTES + " bytes a manifest may have");
        }
        int version = -1;
        int setStart = -1;
        int setEnd = -1;
        JsonNode auth = null;
        BackupSet set;
        try (JsonParser p = Json.mapper().createParser(bytes)) {
            p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IntegrityException("manifest " + key + " is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "formatVersion" -> version = value == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
                    case "set" -> {
                        if (value == JsonToken.START_OBJECT) {
                            setStart = (int) p.currentTokenLocation().getByteOffset();
                            p.skipChildren();
                            setEnd = (int) p.currentLocation().getByteOffset();
                        }
                    }
                    case "auth" -> auth = p.readValueAsTree();
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new IntegrityException("manifest " + key + " holds more than one JSON value");
            }
            if (version < 1 || version > BackupSet.FORMAT_VERSION) {
                throw new IntegrityException("manifest " + key + " has format version " + version
                        + "; this pgvault reads 1.." + BackupSet.FORMAT_VERSION);
            }
            if (setStart < 0 || setEnd <= setStart || bytes[setStart] != '{' || bytes[setEnd - 1] != '}') {
                throw new IntegrityException("manifest " + key + " holds no set");
            }
            set = Json.mapper().readValue(bytes, setStart, setEnd - setStart, BackupSet.class);
        } catch (IOException | IllegalArgumentException | NullPointerException e) {
            throw new IntegrityException("cannot read manifest " + key + " in " + repository.id() + ": "
                    + e.getMessage(), e);
        }
        String problem = problem(name, set);
        if (problem != null) {
            throw new IntegrityException("manifest " + key + " in " + repository.id() + ": " + problem);
        }
        ManifestSeal.Verdict verdict = seal.verify(name, version, java.util.Arrays.copyOfRange(bytes, setStart,
                setEnd), auth);
        if (verdict.authenticity() == Authenticity.MISMATCH) {
            LOG.warn("manifest {} in {} fails authentication: {}; it is listed but not restored, copied or drilled "
                    + "without an explicit opt-in", key, repository.id(), verdict.reason());
        } else if (verdict.authenticity() != Authenticity.AUTHENTICATED && seal.canSign()) {
            LOG.debug("manifest {} in {} is not authenticated: {}", key, repository.id(), verdict.reason());
        }
        return set.withAuthenticity(verdict.authenticity());
    }

    /** @return why a set read from (or about to become) {@code manifests/<name>.json} cannot be trusted, or null */
    static String problem(String name, BackupSet set) {
        if (set == null) {
            return "it holds no set";
        }
        if (!set.id().value().equals(name)) {
            return "it names set " + set.id() + ", not " + name;
        }
        if (set.dependsOn().filter(set.id()::equals).isPresent()) {
            return "the set depends on itself";
        }
        if (set.startedAt().isBefore(EARLIEST) || set.finishedAt().isAfter(LATEST)) {
            return "its times (" + set.startedAt() + " to " + set.finishedAt() + ") lie outside 2000..9999";
        }
        String prefix = dataPrefix(set.id());
        Set<String> keys = new HashSet<>();
        for (StoredObject o : set.objects()) {
            try {
                ObjectKeys.validate(o.key());
            } catch (InvalidKeyException e) {
                return "object key is unsafe: " + e.getMessage();
            }
            if (!o.key().startsWith(prefix)) {
                return "object " + o.key() + " lies outside the set's prefix " + prefix;
            }
            if (!keys.add(o.key())) {
                return "object " + o.key() + " is listed twice";
            }
        }
        Map<String, String> keyFiles = new HashMap<>();
        set.objects().stream().filter(StoredObject::isSetKey).forEach(o -> keyFiles.put(o.key(), o.storedSha256()));
        for (StoredObject o : set.objects()) {
            if (io.pgvault.internal.pipeline.SetEncoder.SCHEME.equals(o.encryption())
                    && !o.attribute(io.pgvault.internal.pipeline.SetEncoder.KEY_SHA256_ATTRIBUTE).equals(
                            keyFiles.get(o.attribute(io.pgvault.internal.pipeline.SetEncoder.KEY_ATTRIBUTE)))) {
                return "object " + o.key() + " is encrypted to a set key file the manifest does not list";
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "Catalog[" + repository.id() + "]";
    }
}
