package io.pgvault.api.tier;

import io.pgvault.api.BackupSet;
import io.pgvault.api.Catalog;
import io.pgvault.api.ConflictException;
import io.pgvault.api.Leases;
import io.pgvault.api.RepositoryLayout;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.UnauthenticatedSetException;
import io.pgvault.api.NotFoundException;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.RepositoryException;
import io.pgvault.api.StoredObject;
import io.pgvault.api.event.Phase;
import io.pgvault.api.event.VaultListener;
import io.pgvault.internal.Json;
import io.pgvault.internal.Lease;
import io.pgvault.internal.ProgressTracker;
import io.pgvault.internal.pipeline.Digest;
import io.pgvault.internal.pipeline.EncodingStream;
import io.pgvault.internal.pipeline.Encoded;
import io.pgvault.internal.pipeline.DecodeSession;
import io.pgvault.internal.pipeline.Pipeline;
import io.pgvault.internal.pipeline.SetEncoder;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectKeys;
import io.pgvault.spi.Repository;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Copies one committed set from the primary to one tier: object by object, each verified on the tier, then the
 * tier's manifest last. Objects already on the tier that match what the copy needs are kept (an interrupted copy
 * resumes); a re-encoded object is recognized by a small journal entry written after it was verified, because its
 * bytes (fresh age nonces) cannot be predicted from the primary's.
 */
final class TierCopier {
    /** Journal entries of re-encoded objects, removed once the set is committed. */
    static final String JOURNAL = "_tier-journal/";
    /** Manifest attribute: when the copy was verified on the tier. */
    static final String VERIFIED_AT = "tier.verifiedAt";
    /** Manifest attribute: the repository the copy came from. */
    static final String COPIED_FROM = "tier.copiedFrom";

    private final Repository primary;
    private final Pipeline primaryPipeline;
    private final Tier tier;
    private final Optional<Pipeline> tierPipeline;
    private final Catalog tierCatalog;
    private final Clock clock;
    private final VaultListener listener;
    private final Leases leases;

    private final boolean acceptUnauthenticated;
    private final io.pgvault.internal.ManifestSeal journalSeal;

    TierCopier(Repository primary, Pipeline primaryPipeline, Tier tier, Optional<Pipeline> tierPipeline, Clock clock,
            VaultListener listener, Leases leases, boolean acceptUnauthenticated) {
        this.leases = leases;
        this.acceptUnauthenticated = acceptUnauthenticated;
        this.primary = primary;
        this.primaryPipeline = primaryPipeline;
        this.tier = tier;
        this.tierPipeline = tierPipeline;
        this.tierCatalog = new Catalog(tier.repository(), leases, tier.pipeline().orElse(primaryPipeline.options()));
        this.journalSeal = io.pgvault.internal.ManifestSeal.of(tier.pipeline().orElse(primaryPipeline.options()),
                tier.repository());
        this.clock = clock;
        this.listener = listener;
    }

    /** Counters of one attempt. */
    private static final class Tally {
        int copied;
        int reused;
        long bytes;
    }

    /**
     * @param set a set committed on the primary and not on the tier
     * @return the outcome; never throws for a failed copy
     */
    SetCopy copy(BackupSet set) {
        Instant start = clock.instant();
        Tally tally = new Tally();
        ProgressTracker progress = new ProgressTracker(listener, clock, tier.name(), set.id(), Phase.COPY);
        Optional<Lease> claim = Optional.empty();
        try {
            if (!set.authenticity().proven() && !acceptUnauthenticated) {
                throw new UnauthenticatedSetException(set, primary.id(), "copied to tier " + tier.name());
            }
            // validated before anything is written: a forged primary manifest cannot aim a copy elsewhere
            java.util.Set<String> names = new java.util.HashSet<>();
            for (StoredObject o : set.objects()) {
                if (!ObjectKeys.validate(o.key()).startsWith(RepositoryLayout.dataPrefix(set.id()))) {
                    throw new IntegrityException("set " + set.id() + " lists object " + o.key()
                            + " outside its prefix: not copied to tier " + tier.name());
                }
                if (!names.add(o.name())) {
                    throw new IntegrityException("set " + set.id() + " lists two objects named " + o.name()
                            + ": not copied to tier " + tier.name());
                }
                tierPipeline.ifPresent(p -> RepositoryLayout.objectKey(set.id(), o.name(), p.options()));
            }
            claim = Lease.tryAcquire(tier.repository(), set.id(), "tier-copy", leases);
            if (claim.isEmpty()) {
                throw new ConflictException("set " + set.id() + " is being copied to tier " + tier.name() + " ("
                        + tier.repository().id() + ") by another process; the next sync checks again");
            }
            Lease lease = claim.get();
            if (tier.repository().stat(RepositoryLayout.manifestKey(set.id())).isPresent()) {
                // another process copied it since this sync looked: writing now would only disturb its objects
                Optional<BackupSet> there = tierCatalog.find(set.id());
                if (there.isPresent() && tierCatalog.signs() && !acceptUnauthenticated
                        && !there.get().authenticity().proven()) {
                    throw new IntegrityException("tier " + tier.name() + " already holds a manifest for set "
                            + set.id() + " that is " + there.get().authenticity() + " (planted, or written with "
                            + "another key): it is not a copy, and pgvault does not write over it; see runbook "
                            + "unauthenticated-sets.md");
                }
                return new SetCopy(tier.name(), set.id(), there, 0, 0, 0,
                        Duration.between(start, clock.instant()), Optional.empty());
            }
            String writer = "w-" + java.util.UUID.randomUUID().toString().substring(0, 8) + "/";
            List<StoredObject> copies = new ArrayList<>();
            if (tierPipeline.isPresent()) {
                try (DecodeSession primaryReads = primaryPipeline.session(primary::open);
                        DecodeSession tierReads = tierPipeline.get().session(tier.repository()::open)) {
                    primaryReads.prefetch(set.objects()); // unwraps while the tier's key file is written (made ahead)
                    Reencoding re = new Reencoding(set, writer, tierPipeline.get().newSet(), primaryReads, tierReads);
                    for (StoredObject o : set.objects()) {
                        lease.check();
                        if (!o.isSetKey()) { // the primary's key file: the tier's objects get a key of their own
                            copies.add(reencode(re, o, tally, progress));
                        }
                    }
                    re.encoder.keyFile().ifPresent(k -> copies.add(0, k));
                }
            } else {
                for (StoredObject o : set.objects()) {
                    lease.check();
                    copies.add(copyBytes(o, tally, progress));
                }
            }
            Instant verifiedAt = clock.instant();
            Map<String, String> attributes = new HashMap<>(set.attributes());
            attributes.put(VERIFIED_AT, verifiedAt.toString());
            attributes.put(COPIED_FROM, primary.id());
            BackupSet copy = new BackupSet(set.id(), set.strategy(), set.type(), set.status(), set.source(),
                    set.startedAt(), set.finishedAt(), set.dependsOn(), copies, attributes, set.lastVerified());
            if (!tier.repository().putIfAbsentIsAtomic()) {
                // without conditional writes two copiers can both believe they hold the claim for a while, and the
                // other may have replaced an object with same-size bytes since it was verified: check again
                for (StoredObject o : copies) {
                    verifyCopy(o.key(), o.storedBytes(), o.storedSha256());
                }
            }
            tierCatalog.commit(copy, lease::confirm, lease::held, lease.createdAt()); // the manifest last: until here nothing is listed
            removeJournal(set);
            return new SetCopy(tier.name(), set.id(), Optional.of(copy), tally.copied, tally.reused, tally.bytes,
                    Duration.between(start, clock.instant()), Optional.empty());
        } catch (RuntimeException e) {
            PgVaultException error = e instanceof PgVaultException p ? p
                    : new RepositoryException("copy of " + set.id() + " to tier " + tier.name() + " failed: " + e, e);
            claim.ifPresent(Lease::close);
            claim = Optional.empty();
            return new SetCopy(tier.name(), set.id(), Optional.empty(), tally.copied, tally.reused, tally.bytes,
                    Duration.between(start, clock.instant()), Optional.of(error));
        } finally {
            claim.ifPresent(Lease::close);
        }
    }

    /** Byte for byte: the tier object must end up with the primary's stored size and SHA-256. */
    private StoredObject copyBytes(StoredObject o, Tally tally, ProgressTracker progress) {
        if (holds(o.key(), o.storedBytes(), o.storedSha256())) {
            tally.reused++;
            return o;
        }
        AtomicReference<RuntimeException> sourceFailure = new AtomicReference<>();
        put(o.key(), out -> {
            Digest sent;
            try (InputStream in = source(() -> primary.open(o.key()), sourceFailure)) {
                sent = Pipeline.digest(new TeeInputStream(in, progress.counting(out)));
            }
            if (sent.size() != o.storedBytes() || !sent.sha256().equals(o.storedSha256())) {
                RuntimeException e = new IntegrityException("object " + o.key() + " on the primary "
                        + primary.id() + " does not match its manifest (" + sent.size() + " bytes, SHA-256 "
                        + sent.sha256() + "; recorded " + o.storedBytes() + " bytes, " + o.storedSha256()
                        + "): not copied to tier " + tier.name());
                sourceFailure.set(e);
                throw e;
            }
        }, sourceFailure);
        tally.copied++;
        tally.bytes += o.storedBytes();
        verifyCopy(o.key(), o.storedBytes(), o.storedSha256());
        return o;
    }

    /** One set's re-encoding: its writer folder, the tier's encoder for it, and the two sides' decode sessions. */
    private record Reencoding(BackupSet set, String writer, SetEncoder encoder, DecodeSession primaryReads,
            DecodeSession tierReads) {
    }

    /**
     * With a passphrase on the tier, the tier's copy gets a set key of its own, written before its first object: the
     * one a journal records from an interrupted copy when it is still there (unwrapped once, so the objects
     * encrypted to it are kept), else a fresh one in this writer's folder.
     */
    private void ensureKeyFile(Reencoding re, ProgressTracker progress) {
        if (!re.encoder().needsKeyFile()) {
            return;
        }
        BackupSet set = re.set();
        String journalKey = Catalog.dataPrefix(set.id()) + JOURNAL + SetEncoder.KEY_FILE + ".json";
        Optional<StoredObject> journaled = readJournal(journalKey);
        if (journaled.isPresent() && journaled.get().isSetKey()
                && journaled.get().key().startsWith(RepositoryLayout.dataPrefix(set.id()))
                && validKey(journaled.get().key())
                && holds(journaled.get().key(), journaled.get().storedBytes(), journaled.get().storedSha256())) {
            try {
                re.encoder().adopt(re.tierReads(), journaled.get());
                return;
            } catch (PgVaultException e) { // unreadable with this passphrase: the copy starts with a fresh key
                org.slf4j.LoggerFactory.getLogger(TierCopier.class).info("the set key an interrupted copy of {} to"
                        + " tier {} left cannot be used ({}); a new one is written", set.id(), tier.name(),
                        e.getMessage());
            }
        }
        String key = RepositoryLayout.setKeyFile(set.id(), re.writer());
        AtomicReference<Encoded> encoded = new AtomicReference<>();
        put(key, out -> encoded.set(re.encoder().writeKeyFile(progress.counting(out), clock.instant())),
                new AtomicReference<>());
        StoredObject file = re.encoder().keyFileStored(SetEncoder.KEY_FILE, key, encoded.get());
        verifyCopy(key, file.storedBytes(), file.storedSha256());
        writeJournal(journalKey, file);
    }

    /** Decode with the primary's key (digests checked), encode with the tier's pipeline, all in memory. */
    private StoredObject reencode(Reencoding re, StoredObject o, Tally tally, ProgressTracker progress) {
        BackupSet set = re.set();
        String writer = re.writer();
        SetEncoder encoder = re.encoder();
        ensureKeyFile(re, progress);
        Pipeline pipeline = tierPipeline.orElseThrow();
        // under a folder of this writer's own: another copier of the set (a stale sync, a claim taken over) writes
        // other bytes of the same size, and must never replace these after they were verified
        String key = RepositoryLayout.objectKey(set.id(), writer + o.name(), pipeline.options());
        if (key.equals(RepositoryLayout.setKeyFile(set.id(), writer))) {
            throw new IntegrityException("object " + o.name() + " of set " + set.id() + " would be stored where the"
                    + " tier copy's key file is: not copied to tier " + tier.name());
        }
        String journalKey = Catalog.dataPrefix(set.id()) + JOURNAL + o.name() + ".json";
        Optional<StoredObject> journaled = readJournal(journalKey);
        if (journaled.isPresent() && journaled.get().key().startsWith(RepositoryLayout.dataPrefix(set.id()))
                && journaled.get().name().equals(o.name())
                && journaled.get().logicalSha256().equals(o.logicalSha256())
                && journaled.get().encryption().equals(encoder.scheme())
                && journaled.get().attribute(SetEncoder.KEY_ATTRIBUTE).equals(
                        encoder.keyFile().map(StoredObject::key).orElse(""))
                && journaled.get().attribute(SetEncoder.KEY_SHA256_ATTRIBUTE).equals(
                        encoder.keyFile().map(StoredObject::storedSha256).orElse(""))
                && validKey(journaled.get().key())
                && holds(journaled.get().key(), journaled.get().storedBytes(), journaled.get().storedSha256())) {
            tally.reused++;
            return journaled.get();
        }
        AtomicReference<Encoded> encoded = new AtomicReference<>();
        AtomicReference<RuntimeException> sourceFailure = new AtomicReference<>();
        put(key, out -> {
            try (InputStream in = source(() -> re.primaryReads().open(o), sourceFailure);
                    EncodingStream enc = encoder.encode(progress.counting(out))) {
                try {
                    in.transferTo(enc);
                } catch (RuntimeException e) { // damaged primary object or wrong key: not the tier's fault
                    sourceFailure.set(e);
                    throw e;
                }
                encoded.set(enc.finish());
            }
        }, sourceFailure);
        Encoded e = encoded.get();
        if (e.logicalBytes() != o.logicalBytes() || !e.logicalSha256().equals(o.logicalSha256())) {
            tier.repository().delete(key);
            throw new IntegrityException("re-encoding " + o.key() + " for tier " + tier.name() + " produced "
                    + e.logicalBytes() + " logical bytes with SHA-256 " + e.logicalSha256() + ", the manifest recorded "
                    + o.logicalBytes() + " and " + o.logicalSha256());
        }
        tally.copied++;
        tally.bytes += e.storedBytes();
        StoredObject copy = new StoredObject(o.name(), key, e.logicalBytes(), e.storedBytes(), e.storedSha256(),
                e.logicalSha256(), pipeline.options().compression(), encoder.scheme(),
                encoder.attributes(e, withoutHeader(o.attributes())));
        verifyCopy(key, copy.storedBytes(), copy.storedSha256());
        writeJournal(journalKey, copy);
        return copy;
    }

    private static boolean validKey(String key) {
        try {
            ObjectKeys.validate(key);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Opens a primary object, remembering a failure as the primary's (not the tier's). */
    private static InputStream source(java.util.function.Supplier<InputStream> open,
            AtomicReference<RuntimeException> sourceFailure) {
        try {
            return open.get();
        } catch (RuntimeException e) {
            sourceFailure.set(e);
            throw e;
        }
    }

    private void put(String key, io.pgvault.spi.ObjectWriter writer, AtomicReference<RuntimeException> source) {
        try {
            tier.repository().put(key, writer);
        } catch (RuntimeException e) {
            RuntimeException cause = source.get();
            if (cause != null && cause != e) {
                cause.addSuppressed(e);
                throw cause;
            }
            throw e;
        }
    }

    /** @return whether the tier already holds {@code key} with this size and SHA-256 */
    private boolean holds(String key, long size, String sha256) {
        Optional<ObjectInfo> info = tier.repository().stat(key);
        if (info.isEmpty() || info.get().size() != size) {
            return false;
        }
        return tierDigest(key, info.get()).equals(sha256);
    }

    /** Proves the tier holds what was sent; a mismatching object is removed, so nothing bad is ever listed. */
    private void verifyCopy(String key, long size, String sha256) {
        Optional<ObjectInfo> info = tier.repository().stat(key);
        if (info.isEmpty()) {
            throw new IntegrityException("copy of " + key + " to tier " + tier.name() + " (" + tier.repository().id()
                    + ") is not there after a successful put");
        }
        String found = info.get().size() == size ? tierDigest(key, info.get()) : null;
        if (found == null || !found.equals(sha256)) {
            tier.repository().delete(key);
            throw new IntegrityException("copy of " + key + " to tier " + tier.name() + " (" + tier.repository().id()
                    + ") does not match what was sent: "
                    + (found == null ? info.get().size() + " bytes stored, " + size + " sent"
                            : "SHA-256 " + found + " stored, " + sha256 + " sent")
                    + "; the copy was removed and the set is not listed on the tier");
        }
    }

    private String tierDigest(String key, ObjectInfo info) {
        if (tier.verification() == CopyVerification.REPOSITORY_DIGEST && info.sha256().isPresent()) {
            return info.sha256().get();
        }
        try (InputStream in = tier.repository().open(key)) {
            return Pipeline.digest(in).sha256();
        } catch (IOException e) {
            throw new RepositoryException("cannot read back " + key + " from tier " + tier.name() + " ("
                    + tier.repository().id() + "): " + e.getMessage(), e);
        }
    }

    /**
     * A journal entry says "this object of the tier is the re-encoded copy of that primary object"; it is the tier's
     * own record, so where the tier signs, it is signed like a manifest: an entry planted by someone who can write the
     * tier would otherwise be committed, and signed, as part of a copy (ADR 0013).
     */
    private void writeJournal(String key, StoredObject copy) {
        try {
            byte[] object = Json.mapper().writeValueAsBytes(copy);
            com.fasterxml.jackson.databind.node.ObjectNode doc = Json.mapper().createObjectNode();
            doc.put("object", java.util.Base64.getEncoder().encodeToString(object));
            if (journalSeal.canSign()) {
                doc.set("auth", journalSeal.sign("tier-journal:" + key, 1, object));
            }
            tier.repository().put(key, out -> Json.write(out, doc));
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize a journal entry", e);
        }
    }

    private Optional<StoredObject> readJournal(String key) {
        try (InputStream in = tier.repository().open(key)) {
            com.fasterxml.jackson.databind.JsonNode doc = Json.mapper().readTree(in.readNBytes(1 << 20));
            byte[] object = java.util.Base64.getDecoder().decode(doc.path("object").asText(""));
            if (journalSeal.canSign() && journalSeal.verify("tier-journal:" + key, 1, object, doc.get("auth"))
                    .authenticity() != io.pgvault.api.Authenticity.AUTHENTICATED) {
                return Optional.empty(); // not ours: the object is copied afresh
            }
            return Optional.of(Json.mapper().readValue(object, StoredObject.class));
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // an unreadable journal only costs a fresh copy of the object
        }
    }

    private void removeJournal(BackupSet set) {
        if (tierPipeline.isEmpty()) {
            return;
        }
        try {
            for (ObjectInfo info : tier.repository().list(Catalog.dataPrefix(set.id()) + JOURNAL)) {
                tier.repository().delete(info.key());
            }
        } catch (PgVaultException e) { // the set is committed; a leftover journal is harmless
            org.slf4j.LoggerFactory.getLogger(TierCopier.class).debug("journal of {} on {} left: {}", set.id(),
                    tier.name(), e.getMessage());
        }
    }

    /** Copies what it reads into a second stream. */
    private static final class TeeInputStream extends java.io.FilterInputStream {
        private final OutputStream copy;

        TeeInputStream(InputStream in, OutputStream copy) {
            super(in);
            this.copy = copy;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                copy.write(b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                copy.write(b, off, n);
            }
            return n;
        }
    }

    /** @return attributes without a source object's age header digest (a re-encoded copy has its own header) */
    private static Map<String, String> withoutHeader(Map<String, String> attributes) {
        Map<String, String> out = new HashMap<>(attributes);
        out.remove(Encoded.AGE_HEADER_ATTRIBUTE);
        return out;
    }
}
