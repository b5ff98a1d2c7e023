package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.IntegrityException;
import io.pgvault.api.RepositoryException;
import io.pgvault.spi.ObjectInfo;

import java.io.InputStream;
import java.util.Map;
import java.util.Optional;

/**
 * Copies one source file to the mirror unless it is already there: committed with another set (same path and size:
 * pgBackRest never rewrites a set's files, and WAL names carry their SHA-1), or left by an interrupted run (same size
 * and SHA-256, checked by the repository's digest or by reading it back). What is sent is hashed on the way and
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

    FileCopier(SourceRepo source, TargetStore target) {
        this.source = source;
        this.target = target;
    }

    /**
     * @param f         the source file
     * @param committed files already listed by committed records, by path
     * @param mutable   whether the path's content may change (info files): then only an equal digest counts
     */
    Copied copy(SourceFile f, Map<String, MirroredFile> committed, boolean mutable) {
        MirroredFile known = committed.get(f.path());
        if (known != null && !mutable && known.size() == f.size()) {
            return new Copied(known, How.SHARED);
        }
        String key = target.fileKey(f.path());
        Optional<ObjectInfo> there = target.repository.stat(key);
        if (there.isPresent() && there.get().size() == f.size()) {
            Digests.Sum src = Digests.of(source.open(f.path()), f.path() + " in " + source.id());
            if (known != null && known.sha256().equals(src.sha256())) {
                return new Copied(known, How.SHARED);
            }
            String onTarget = there.get().sha256()
                    .orElseGet(() -> Digests.of(target.repository.open(key), key + " in " + target.repository.id())
                            .sha256());
            if (onTarget.equals(src.sha256())) {
                return new Copied(new MirroredFile(f.path(), src.size(), src.sha256()), How.RESUMED);
            }
        }
        return new Copied(send(f, key), How.SENT);
    }

    private MirroredFile send(SourceFile f, String key) {
        Digests.Sum[] sum = new Digests.Sum[1];
        ObjectInfo info = target.repository.put(key, out -> {
            try (InputStream in = source.open(f.path())) {
                sum[0] = Digests.copy(in, out); // a repository that calls the writer again gets a fresh sum
            }
        });
        Digests.Sum sent = sum[0];
        if (sent == null) {
            throw new RepositoryException(target.repository.id() + " stored " + key + " without asking for its bytes",
                    null);
        }
        boolean sizeOk = info.size() == sent.size();
        boolean digestOk = info.sha256().map(sent.sha256()::equals).orElse(true);
        if (!sizeOk || !digestOk) {
            target.repository.delete(key);
            throw new IntegrityException("copy of " + f.path() + " to " + key + " on " + target.repository.id()
                    + " does not match what was sent (" + sent.size() + " bytes, sha256 " + sent.sha256()
                    + "; the repository reports " + info.size() + " bytes" + info.sha256().map(s -> ", sha256 " + s)
                    .orElse("") + "); the object was removed and the next mirror run sends it again");
        }
        return new MirroredFile(f.path(), sent.size(), sent.sha256());
    }

    /** Reads a mirrored object back and compares it with its record. */
    Optional<String> check(MirroredFile f) {
        String key = target.fileKey(f.path());
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
