package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.NotFoundException;
import io.pgvault.api.RepositoryException;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.Repository;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The mirror's layout in its repository, under a prefix {@code P}: {@code P/repo/<path>} the pgBackRest files
 * byte for byte in the repository's own layout; {@code P/blobs/<stanza>/<sha256>} a file whose path another file with other
 * bytes already holds (WAL, history and backup-label files of another cluster or cipher passphrase);
 * {@code P/snapshots/<stanza>/<sha256>} the info files each set was mirrored with (content-addressed, never
 * rewritten); {@code P/sets/<stanza>/<label>.json} one record per committed set (written last);
 * {@code P/pending/<stanza>.json} the sets selected but not yet mirrored (to report sets the source expired first).
 * {@code P/info/<stanza>.json} is the shared info record of sets mirrored before 0.2.0 (read, never written).
 */
final class TargetStore {
    final Repository repository;
    final String prefix;
    final String stanza;

    TargetStore(Repository repository, String prefix, String stanza) {
        this.repository = repository;
        this.prefix = prefix.isEmpty() ? "" : prefix + "/";
        this.stanza = stanza;
    }

    String repoPrefix() {
        return prefix + "repo/";
    }

    String fileKey(String path) {
        return repoPrefix() + path;
    }

    /** @return the key prefixes holding this stanza's files (what prune may collect as debris) */
    List<String> fileAreas() {
        return List.of(repoPrefix() + "backup/" + stanza + "/", repoPrefix() + "archive/" + stanza + "/",
                prefix + "blobs/" + stanza + "/", prefix + "snapshots/" + stanza + "/");
    }

    /** @return the object key of a file, from its key relative to the prefix */
    String objectKey(MirroredFile f) {
        return prefix + f.key();
    }

    String blobKey(String sha256) {
        return "blobs/" + stanza + "/" + sha256;
    }

    String snapshotKey(String sha256) {
        return "snapshots/" + stanza + "/" + sha256;
    }

    String pendingKey() {
        return prefix + "pending/" + stanza + ".json";
    }

    String setKey(String label) {
        return prefix + "sets/" + stanza + "/" + label + ".json";
    }

    String infoKey() {
        return prefix + "info/" + stanza + ".json";
    }

    /** @return the committed sets, oldest first */
    List<MirroredSet> sets() {
        List<MirroredSet> out = new ArrayList<>();
        for (ObjectInfo o : repository.list(prefix + "sets/" + stanza + "/")) {
            if (o.key().endsWith(".json")) {
                MirroredSet s = ManifestCodec.readSet(read(o.key()), o.key());
                if (!s.stanza().equals(stanza) || !o.key().equals(setKey(s.label()))) {
                    throw new io.pgvault.api.IntegrityException("mirror record " + o.key() + " describes set "
                            + s.label() + " of stanza " + s.stanza() + ": a record was copied or renamed");
                }
                for (MirroredFile f : s.allFiles()) {
                    String expected = f.key().startsWith("blobs/") ? blobKey(f.sha256())
                            : f.key().startsWith("snapshots/") ? snapshotKey(f.sha256()) : "repo/" + f.path();
                    if (!f.key().equals(expected)) {
                        throw new io.pgvault.api.IntegrityException("mirror record " + o.key() + " names key "
                                + f.key() + " for " + f.path() + ", which is not where this mirror keeps those bytes ("
                                + expected + "): the record was forged or damaged");
                    }
                }
                out.add(s);
            }
        }
        out.sort(Comparator.comparing(MirroredSet::startedAt).thenComparing(MirroredSet::label));
        return out;
    }

    Optional<ManifestCodec.InfoRecord> info() {
        if (repository.stat(infoKey()).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(ManifestCodec.readInfo(read(infoKey()), infoKey()));
    }

    void put(MirroredSet s) {
        byte[] json = ManifestCodec.write(s);
        repository.put(setKey(s.label()), out -> out.write(json));
    }

    /** @return the committed record of one set as it is now, if it still exists */
    Optional<MirroredSet> set(String label) {
        String key = setKey(label);
        if (repository.stat(key).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(ManifestCodec.readSet(read(key), key));
    }

    ManifestCodec.Pending pending() {
        if (repository.stat(pendingKey()).isEmpty()) {
            return new ManifestCodec.Pending(List.of(), java.util.Map.of());
        }
        return ManifestCodec.readPending(read(pendingKey()), pendingKey());
    }

    void put(ManifestCodec.Pending pending) {
        byte[] json = ManifestCodec.write(stanza, pending);
        repository.put(pendingKey(), out -> out.write(json));
    }

    void deleteSet(String label) {
        repository.delete(setKey(label));
    }

    private byte[] read(String key) {
        try (InputStream in = repository.open(key)) {
            return in.readAllBytes();
        } catch (NotFoundException e) {
            throw e;
        } catch (IOException e) {
            throw new RepositoryException("cannot read " + key + " from " + repository.id() + ": " + e, e);
        }
    }
}
