package io.pgvault.internal;

import io.pgvault.api.IntegrityException;
import io.pgvault.api.RepositoryException;
import io.pgvault.api.StoredObject;
import io.pgvault.internal.pipeline.Digest;
import io.pgvault.internal.pipeline.Pipeline;
import io.pgvault.spi.ReadContext;
import io.pgvault.spi.Repository;
import io.pgvault.spi.process.ProcessRunner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/** Gives a strategy decoded, verified streams of a set's objects. */
public final class DefaultReadContext implements ReadContext {
    private final Repository repository;
    private final Pipeline pipeline;
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
        this.pipeline = pipeline;
        this.processes = processes;
        this.scratch = scratch;
    }

    @Override
    public InputStream openObject(StoredObject object) {
        return pipeline.decode(repository.open(object.key()), object);
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

    @Override
    public ProcessRunner processes() {
        return processes;
    }

    @Override
    public Path scratchDirectory() {
        return scratch.get();
    }
}
