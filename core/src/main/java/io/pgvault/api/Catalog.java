package io.pgvault.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgvault.internal.Json;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The backup sets stored in one repository. A set's objects live under {@code data/<id>/}; its manifest,
 * {@code manifests/<id>.json}, is written last, after every object is durable, so a set exists exactly when its
 * manifest does. Deleting removes the manifest first; objects without a manifest are debris that
 * {@link #removeDebris(Duration)} clears.
 *
 * @since 0.1.0
 */
public final class Catalog {
    private static final Logger LOG = LoggerFactory.getLogger(Catalog.class);
    static final String MANIFESTS = "manifests/";
    static final String DATA = "data/";
    private static final String SUFFIX = ".json";

    private final Repository repository;

    /** @param repository where the sets live */
    public Catalog(Repository repository) {
        this.repository = Objects.requireNonNull(repository, "repository");
    }

    /** @return the repository */
    public Repository repository() {
        return repository;
    }

    /**
     * @param id a set
     * @return the key of its manifest
     */
    public static String manifestKey(BackupId id) {
        return MANIFESTS + id.value() + SUFFIX;
    }

    /**
     * @param id a set
     * @return the key prefix under which its objects live, ending in {@code /}
     */
    public static String dataPrefix(BackupId id) {
        return DATA + id.value() + "/";
    }

    /**
     * Lists every committed set, oldest first. A manifest that cannot be read is reported in the log and skipped,
     * so one damaged manifest does not hide the others.
     *
     * @return the sets
     */
    public List<BackupSet> list() {
        List<BackupSet> sets = new ArrayList<>();
        for (ObjectInfo info : repository.list(MANIFESTS)) {
            String key = info.key();
            if (!key.endsWith(SUFFIX) || key.indexOf('/', MANIFESTS.length()) >= 0) {
                continue;
            }
            try {
                sets.add(read(key));
            } catch (NotFoundException e) {
                LOG.debug("manifest {} vanished while listing (concurrent prune)", key);
            } catch (PgVaultException e) {
                LOG.warn("skipping unreadable manifest {} in {}: {}", key, repository.id(), e.getMessage());
            }
        }
        sets.sort(Comparator.comparing(BackupSet::startedAt).thenComparing(BackupSet::id));
        return sets;
    }

    /**
     * @param id a set
     * @return the set, if its manifest exists
     */
    public Optional<BackupSet> find(BackupId id) {
        if (repository.stat(manifestKey(id)).isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(read(manifestKey(id)));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * Commits a set by writing its manifest. Call only after every object it lists is durable; checks that they
     * exist with the recorded sizes.
     *
     * @param set the set to commit
     */
    public void commit(BackupSet set) {
        for (StoredObject o : set.objects()) {
            if (!o.key().startsWith(dataPrefix(set.id()))) {
                throw new IntegrityException("object " + o.key() + " is outside the set's prefix "
                        + dataPrefix(set.id()));
            }
            long size = repository.stat(o.key()).orElseThrow(() -> new IntegrityException(
                    "cannot commit set " + set.id() + ": object " + o.key() + " is missing")).size();
            if (size != o.storedBytes()) {
                throw new IntegrityException("cannot commit set " + set.id() + ": object " + o.key() + " has "
                        + size + " bytes, expected " + o.storedBytes());
            }
        }
        write(set);
    }

    /**
     * Rewrites the manifest of an existing set (for example to record {@code lastVerified}).
     *
     * @param set the updated set
     */
    public void update(BackupSet set) {
        if (repository.stat(manifestKey(set.id())).isEmpty()) {
            throw new NotFoundException("no backup set " + set.id() + " in " + repository.id());
        }
        write(set);
    }

    /**
     * Deletes a set: the manifest first (so it is never listed half-deleted), then its objects.
     *
     * @param id the set
     */
    public void delete(BackupId id) {
        repository.delete(manifestKey(id));
        deleteObjects(id);
    }

    /**
     * Lists debris: objects under {@code data/} whose set has no manifest (left by an interrupted backup or prune).
     * Objects of a backup still being written look the same, which is why only old enough ones are listed.
     *
     * @param modifiedBefore only objects last modified before this instant (wall clock) are listed
     * @return their keys, sorted
     */
    public List<String> debris(Instant modifiedBefore) {
        Set<String> committed = new TreeSet<>();
        for (ObjectInfo info : repository.list(MANIFESTS)) {
            String name = info.key().substring(MANIFESTS.length());
            if (name.endsWith(SUFFIX)) {
                committed.add(name.substring(0, name.length() - SUFFIX.length()));
            }
        }
        List<String> debris = new ArrayList<>();
        for (ObjectInfo info : repository.list(DATA)) {
            String rest = info.key().substring(DATA.length());
            int slash = rest.indexOf('/');
            String id = slash < 0 ? rest : rest.substring(0, slash);
            if (!committed.contains(id) && info.lastModified().isBefore(modifiedBefore)) {
                debris.add(info.key());
            }
        }
        return debris;
    }

    /**
     * Removes debris older than {@code grace} (see {@link #debris(Instant)}); younger objects may belong to a backup
     * in progress and are left alone.
     *
     * @param grace minimum age of an object to remove; {@link Duration#ZERO} removes all debris (only when no backup
     *              can be running)
     * @return the keys removed
     */
    public List<String> removeDebris(Duration grace) {
        if (grace.isNegative()) {
            throw new ConfigurationException("debris grace must not be negative, was " + grace);
        }
        List<String> removed = debris(Instant.now().minus(grace).plusNanos(1));
        removed.forEach(repository::delete);
        if (!removed.isEmpty()) {
            LOG.info("removed {} debris object(s) from {}", removed.size(), repository.id());
        }
        return removed;
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

    private void write(BackupSet set) {
        ObjectNode doc = Json.mapper().createObjectNode();
        doc.put("formatVersion", BackupSet.FORMAT_VERSION);
        doc.set("set", Json.mapper().valueToTree(set));
        repository.put(manifestKey(set.id()), out -> Json.write(out, doc));
    }

    private BackupSet read(String key) {
        try (InputStream in = repository.open(key)) {
            JsonNode doc = Json.mapper().readTree(in);
            int version = doc.path("formatVersion").asInt(-1);
            if (version < 1 || version > BackupSet.FORMAT_VERSION) {
                throw new IntegrityException("manifest " + key + " has format version " + version
                        + "; this pgvault reads 1.." + BackupSet.FORMAT_VERSION);
            }
            return Json.mapper().treeToValue(doc.get("set"), BackupSet.class);
        } catch (IOException e) {
            throw new IntegrityException("cannot read manifest " + key + " in " + repository.id() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "Catalog[" + repository.id() + "]";
    }
}
