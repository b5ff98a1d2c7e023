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
 * byte for byte (a valid repository tree), {@code P/sets/<stanza>/<label>.json} one record per committed set (written
 * last), {@code P/info/<stanza>.json} the digests of the info files as last copied.
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

    void put(ManifestCodec.InfoRecord r) {
        byte[] json = ManifestCodec.write(r);
        repository.put(infoKey(), out -> out.write(json));
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
