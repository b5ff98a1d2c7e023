package io.pgvault.api;

import io.pgvault.internal.SetRecords;
import io.pgvault.internal.pipeline.DecodeSession;
import io.pgvault.internal.pipeline.Encoded;
import io.pgvault.internal.pipeline.Pipeline;
import io.pgvault.internal.pipeline.SetEncoder;
import io.pgvault.spi.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Re-wraps the set keys of passphrase sets with the vault's (new) passphrase: per key file, the key is unwrapped
 * with the previous passphrase, written to a new key file with the new one, proven to hold the same key, recorded
 * (a {@code rekey} record; the manifest is never rewritten), and only then is the old file deleted. A crash at any
 * point leaves a set that opens with one of the two passphrases.
 */
final class SetKeyRotation {
    private static final Logger LOG = LoggerFactory.getLogger(SetKeyRotation.class);

    private final Catalog catalog;
    private final Repository repository;
    private final Pipeline current;
    private final Pipeline previous;
    private final Encryption.Passphrase to;
    private final Clock clock;

    SetKeyRotation(Catalog catalog, Repository repository, PipelineOptions options, Secret previousPassphrase,
            Clock clock) {
        if (!(options.encryption() instanceof Encryption.Passphrase p)) {
            throw new ConfigurationException("re-wrapping set keys needs the vault configured with the new "
                    + "passphrase (Encryption.passphrase), not " + options.encryption());
        }
        if (options.integrityKey().isEmpty()) {
            throw new ConfigurationException("re-wrapping set keys in place needs a separate integrity key "
                    + "(PipelineOptions.withIntegrityKey): without one, manifests are authenticated with a key derived "
                    + "from the passphrase, and every set would read as MISMATCH under the new one; re-key through a "
                    + "tier instead (runbook rotating-keys.md, section 1)");
        }
        this.catalog = catalog;
        this.repository = repository;
        this.to = p;
        this.current = new Pipeline(options);
        this.previous = new Pipeline(options.withEncryption(
                new Encryption.Passphrase(previousPassphrase, p.workFactor(), p.maxReadWorkFactor())));
        this.clock = clock;
    }

    KeyRotation run() {
        List<BackupId> rewrapped = new ArrayList<>();
        List<BackupId> alreadyCurrent = new ArrayList<>();
        List<BackupId> perObject = new ArrayList<>();
        Map<BackupId, String> failed = new LinkedHashMap<>();
        for (BackupSet set : catalog.list()) {
            List<StoredObject> keyFiles = set.objects().stream().filter(StoredObject::isSetKey).toList();
            if (keyFiles.isEmpty()) {
                if (set.objects().stream().anyMatch(o -> "age-scrypt".equals(o.encryption()))) {
                    perObject.add(set.id());
                }
                continue;
            }
            if (set.authenticity() != Authenticity.AUTHENTICATED) {
                // a set whose manifest is not proven ours may be planted: re-wrapping its key file would turn an
                // identity wrapped with the (perhaps leaked) previous passphrase into one of the new passphrase
                LOG.warn("the set key of {} was not re-wrapped: its manifest is {}", set.id(), set.authenticity());
                failed.put(set.id(), "its manifest is " + set.authenticity() + ", not authenticated: only sets "
                        + "proven to be this vault's are re-wrapped (see runbook unauthenticated-sets.md)");
                continue;
            }
            try {
                boolean changed = false;
                for (StoredObject keyFile : keyFiles) {
                    changed |= rewrap(set.id(), keyFile);
                }
                (changed ? rewrapped : alreadyCurrent).add(set.id());
            } catch (PgVaultException e) {
                LOG.warn("the set key of {} was not re-wrapped: {}", set.id(), e.getMessage());
                failed.put(set.id(), e.getMessage());
            }
        }
        LOG.info("set keys in {}: {} re-wrapped, {} already current, {} written before set keys, {} failed",
                repository.id(), rewrapped.size(), alreadyCurrent.size(), perObject.size(), failed.size());
        return new KeyRotation(rewrapped, alreadyCurrent, perObject, failed);
    }

    /** @return true when a new key file was written, false when the file already opened with the new passphrase */
    private boolean rewrap(BackupId id, StoredObject keyFile) {
        try (DecodeSession old = previous.session(repository::open);
                DecodeSession now = current.session(repository::open)) {
            String recipient;
            try {
                recipient = SetEncoder.recipientOf(old, keyFile.key(), keyFile.storedSha256());
            } catch (DecryptionException e) {
                try {
                    SetEncoder.recipientOf(now, keyFile.key(), keyFile.storedSha256());
                    return false;
                } catch (DecryptionException ignored) {
                    throw new DecryptionException("neither the previous nor the configured passphrase opens the key"
                            + " file " + keyFile.key() + " of set " + id, e);
                }
            }
            String folder = keyFile.key().substring(0, keyFile.key().lastIndexOf('/') + 1);
            String key = io.pgvault.spi.ObjectKeys.validate(folder + "set-key-"
                    + UUID.randomUUID().toString().substring(0, 8) + ".age");
            AtomicReference<Encoded> encoded = new AtomicReference<>();
            if (key.equals(keyFile.key()) || repository.putIfAbsent(key, out -> encoded.set(
                    SetEncoder.rewrap(old, keyFile, to, out, clock.instant()))).isEmpty()) {
                // never over another file (the current one above all): a random name taken is a retry's job
                throw new ConflictException("the new key file name " + key + " of set " + id
                        + " is taken; run the rotation again");
            }
            Encoded e = encoded.get();
            StoredObject replacement = new StoredObject(keyFile.name(), key, e.logicalBytes(), e.storedBytes(),
                    e.storedSha256(), e.logicalSha256(), Compression.none(), "age-scrypt",
                    e.withHeader(Map.of("role", StoredObject.SET_KEY_ROLE)));
            if (!SetEncoder.recipientOf(now, key, e.storedSha256()).equals(recipient)) {
                repository.delete(key);
                throw new IntegrityException("the re-wrapped key file " + key + " of set " + id
                        + " does not hold the set's key; it was removed and the set left as it was");
            }
            SetRecords.rekeyed(repository, id, replacement, keyFile.key(), catalog.seal());
            Optional<BackupSet> after = catalog.find(id);
            boolean inUse = after.isPresent() && after.get().objects().stream().anyMatch(o -> o.key().equals(key));
            if (inUse) {
                repository.delete(keyFile.key()); // the old passphrase opens nothing of this set any more
                return true;
            }
            repository.delete(key); // not taken up: ours is not needed
            boolean oldStillUsed = after.isPresent()
                    && after.get().objects().stream().anyMatch(o -> o.key().equals(keyFile.key()));
            if (oldStillUsed) {
                throw new ConflictException("the re-wrapped key of set " + id + " was not taken up (" + keyFile.key()
                        + " is still in use): run the rotation again");
            }
            return false; // pruned meanwhile, or a concurrent rotation's record came first
        }
    }
}
