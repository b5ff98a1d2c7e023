package io.pgvault.internal;

import io.pgvault.api.IntegrityException;
import io.pgvault.api.RepositoryException;
import io.pgvault.api.StoredObject;
import io.pgvault.internal.pipeline.DecodeSession;
import io.pgvault.internal.pipeline.Digest;
import io.pgvault.internal.pipeline.Pipeline;
import io.pgvault.spi.ReadContext;
import io.pgvault.spi.Repository;
import io.pgvault.spi.process.ProcessRunner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Gives a strategy decoded, verified streams of a set's objects, for one operation: a set key unwrapped with the
 * passphrase is kept until {@link #close()}, then forgotten.
 */
public final class DefaultReadContext implements ReadContext, AutoCloseable {
    private final Repository repository;
    private final DecodeSession session;
    private final ProcessRunner processes;
    private final ScratchDirectory scratch;

    /**
     * @param repository where objects are read from
     * @param pipeline   how they are decoded
     * @param processes  the tool runner
     * @param scratch    the operation's scratch directory
     */
    public DefaultReadContext(Repository repository, Pipeline pipeline, ProcessRunner processes,
            ScratchDirectory scratch) {
        this.repository = repository;
        this.session = pipeline.session(repository::open);
        this.processes = processes;
        this.scratch = scratch;
    }

    @Override
    public InputStream openObject(StoredObject object) {
        return session.open(object);
    }

    @Override
    public void verifyStored(StoredObject object) {
        Digest d;
        try (InputStream in = repository.open(object.key())) {
            d = Pipeline.digest(in);
        } catch (IOException e) {
            throw new RepositoryException("cannot read " + object.key() + " from " + repository.id() + ": " + e, e);
        }
        if (d.size() != object.storedBytes()) {
            throw new IntegrityException("object " + object.key() + " in " + repository.id() + " has " + d.size()
                    + " bytes, the manifest recorded " + object.storedBytes() + " (truncated or replaced)");
        }
        if (!d.sha256().equals(object.storedSha256())) {
            throw new IntegrityException("object " + object.key() + " in " + repository.id()
                    + " is corrupt: SHA-256 " + d.sha256() + " differs from the recorded " + object.storedSha256());
        }
    }

    /**
     * Starts unwrapping the set's key in the background, so that the one derivation overlaps the operation's first
     * steps.
     *
     * @param set the set about to be read
     */
    public void prefetchKeys(io.pgvault.api.BackupSet set) {
        session.prefetch(set.objects());
    }

    /** Forgets the set keys this operation unwrapped. */
    @Override
    public void close() {
        session.close();
    }

    @Override
    public ProcessRunner processes() {
        return processes;
    }

    @Override
    public Path scratchDirectory() {
        return scratch.get();
    }
}
