package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.IntegrityException;
import io.pgvault.api.RepositoryException;
import io.pgvault.spi.ObjectInfo;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Copies one source file to the mirror unless the mirror already holds the same bytes. A file is shared with a set
 * committed earlier only when its SHA-256 matches (never by path and size alone: another cluster's or another cipher
 * passphrase's WAL has the same names and sizes); its bytes go to {@code repo/<path>} unless a committed file with
 * other bytes holds that place, then to {@code blobs/<stanza>/<sha256>}. An object left by an interrupted run is kept when its
 * digest matches (checked by the repository's digest or by reading it back). What is sent is hashed on the way and
 * checked against what the repository reports.
 */
final class FileCopier {
    /** How a file got onto the mirror in this run. */
    enum How { SENT, RESUMED, SHARED }

    /** A file on the mirror and how it got there. */
    record Copied(MirroredFile file, How how) {
    }

    private final SourceRepo source;
    private final TargetStore target;
    /** Every file committed records list, by path (several when other clusters' files had the same path). */
    private final Map<String, List<MirroredFile>> committed = new HashMap<>();
    /** Keys committed records use, to the digest of their bytes. */
    private final Map<String, String> keys = new HashMap<>();

    FileCopier(SourceRepo source, TargetStore target) {
        this.source = source;
        this.target = target;
    }

    /** Records files as committed (listed by a set record): they are shared, and their keys never overwritten. */
    void committed(Iterable<MirroredFile> files) {
        for (MirroredFile f : files) {
            List<MirroredFile> same = committed.computeIfAbsent(f.path(), k -> new ArrayList<>(1));
            if (same.stream().noneMatch(g -> g.key().equals(f.key()))) {
                same.add(f);
            }
            keys.putIfAbsent(f.key(), f.sha256());
        }
    }

    /** Copies a file of the repository's layout (set files, WAL, history). */
    Copied copy(SourceFile f) {
        List<MirroredFile> known = committed.getOrDefault(f.path(), List.of());
        String pathKey = "repo/" + f.path();
        if (known.isEmpty() && !keys.containsKey(pathKey)) {
            return place(f, pathKey, Optional.empty());
        }
        Digests.Sum src = Digests.of(source.open(f.path()), f.path() + " in " + source.id());
        for (MirroredFile k : known) {
            if (k.size() == src.size() && k.sha256().equals(src.sha256())) {
                return new Copied(k, How.SHARED);
            }
        }
        String owner = keys.get(pathKey);
        String key = owner == null || owner.equals(src.sha256()) ? pathKey : target.blobKey(src.sha256());
        return place(f, key, Optional.of(src));
    }

    /**
     * Copies an info file to its content-addressed snapshot key. pgBackRest rewrites info files in place, so the file
     * is read once (they are small) and those bytes are hashed and sent.
     *
     * @return the snapshot and the bytes it holds
     */
    Snapshot snapshot(SourceFile f) {
        byte[] bytes = RepoFiles.read(source, f.path(), RepoFiles.MAX_INFO_BYTES);
        String sha = Digests.of(new java.io.ByteArrayInputStream(bytes), f.path()).sha256();
        String key = target.snapshotKey(sha);
        String objectKey = target.prefix + key;
        MirroredFile m = new MirroredFile(f.path(), bytes.length, sha, key);
        Optional<ObjectInfo> there = target.repository.stat(objectKey);
        if (there.isPresent() && there.get().size() == bytes.length && storedDigest(objectKey, there.get())
                .equals(sha)) {
            return new Snapshot(new Copied(m, How.SHARED), bytes);
        }
        checkStored(target.repository.put(objectKey, out -> out.write(bytes)), bytes.length, sha, f.path(),
                objectKey);
        return new Snapshot(new Copied(m, How.SENT), bytes);
    }

    /** An info file's snapshot on the mirror, and its bytes. */
    record Snapshot(Copied copied, byte[] bytes) {
    }

    private Copied place(SourceFile f, String key, Optional<Digests.Sum> src) {
        String objectKey = target.prefix + key;
        Optional<ObjectInfo> there = target.repository.stat(objectKey);
        if (there.isPresent() && there.get().size() == f.size()) {
            Digests.Sum sum = src.orElseGet(() -> Digests.of(source.open(f.path()), f.path() + " in " + source.id()));
            if (storedDigest(objectKey, there.get()).equals(sum.sha256())) {
                MirroredFile m = new MirroredFile(f.path(), sum.size(), sum.sha256(), key);
                committed(List.of(m));
                return new Copied(m, How.RESUMED);
            }
        }
        MirroredFile sent = send(f, key, objectKey);
        if (src.isPresent() && !src.get().sha256().equals(sent.sha256())) {
            throw new IntegrityException(f.path() + " in " + source.id() + " changed while it was copied (sha256 "
                    + src.get().sha256() + ", then " + sent.sha256() + "): pgBackRest never rewrites a file, so "
                    + "something else writes the source repository; the set is not committed");
        }
        committed(List.of(sent));
        return new Copied(sent, How.SENT);
    }

    private MirroredFile send(SourceFile f, String key, String objectKey) {
        Digests.Sum[] sum = new Digests.Sum[1];
        ObjectInfo info = target.repository.put(objectKey, out -> {
            try (InputStream in = source.open(f.path())) {
                sum[0] = Digests.copy(in, out); // a repository that calls the writer again gets a fresh sum
            }
        });
        Digests.Sum sent = sum[0];
        if (sent == null) {
            throw new RepositoryException(target.repository.id() + " stored " + objectKey
                    + " without asking for its bytes", null);
        }
        checkStored(info, sent.size(), sent.sha256(), f.path(), objectKey);
        return new MirroredFile(f.path(), sent.size(), sent.sha256(), key);
    }

    /** @return the SHA-256 of a stored object: the repository's, or read back when it reports none */
    private String storedDigest(String objectKey, ObjectInfo there) {
        return there.sha256().orElseGet(() -> Digests.of(target.repository.open(objectKey), objectKey + " in "
                + target.repository.id()).sha256());
    }

    /** Removes an object the repository did not store as sent, and fails the copy. */
    private void checkStored(ObjectInfo info, long size, String sha256, String path, String objectKey) {
        if (info.size() != size || !info.sha256().map(sha256::equals).orElse(true)) {
            target.repository.delete(objectKey);
            throw new IntegrityException("copy of " + path + " to " + objectKey + " on " + target.repository.id()
                    + " does not match what was sent (" + size + " bytes, sha256 " + sha256
                    + "; the repository reports " + info.size() + " bytes" + info.sha256().map(s -> ", sha256 " + s)
                    .orElse("") + "); the object was removed and the next mirror run sends it again");
        }
    }

    /** Reads a mirrored object back and compares it with its record. */
    Optional<String> check(MirroredFile f) {
        String key = target.objectKey(f);
        Digests.Sum got;
        try {
            got = Digests.of(target.repository.open(key), key + " in " + target.repository.id());
        } catch (io.pgvault.api.NotFoundException e) {
            return Optional.of(key + ": missing");
        }
        if (got.size() != f.size() || !got.sha256().equals(f.sha256())) {
            return Optional.of(key + ": expected " + f.size() + " bytes with sha256 " + f.sha256() + ", read "
                    + got.size() + " bytes with sha256 " + got.sha256());
        }
        return Optional.empty();
    }
}
