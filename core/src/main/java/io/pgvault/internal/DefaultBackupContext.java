package io.pgvault.internal;

import io.pgvault.api.BackupId;
import io.pgvault.api.RepositoryLayout;
import io.pgvault.api.StoredObject;
import io.pgvault.api.event.Phase;
import io.pgvault.api.event.VaultListener;
import io.pgvault.internal.pipeline.EncodingStream;
import io.pgvault.internal.pipeline.Encoded;
import io.pgvault.internal.pipeline.Pipeline;
import io.pgvault.internal.pipeline.SetEncoder;
import io.pgvault.spi.BackupContext;
import io.pgvault.spi.ObjectWriter;
import io.pgvault.spi.Repository;
import io.pgvault.spi.process.ProcessRunner;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** Streams a strategy's objects through the pipeline into {@code data/<id>/}. */
public final class DefaultBackupContext implements BackupContext {
    private final BackupId id;
    private final Instant startedAt;
    private final Clock clock;
    private final Repository repository;
    private final SetEncoder encoder;
    private final ProcessRunner processes;
    private final ScratchDirectory scratch;
    private final List<StoredObject> written = new ArrayList<>();
    private final ProgressTracker progress;
    private final Runnable claimCheck;
    private boolean sealed;
    private int inFlight;

    /**
     * @param id         the set being written
     * @param clock      time source
     * @param repository where objects go
     * @param pipeline   how they are encoded
     * @param processes  the tool runner
     * @param scratch    the operation's scratch directory
     * @param listener   who hears about progress
     * @param claimCheck throws when the writer's claim on the set is lost (checked before every object)
     */
    public DefaultBackupContext(BackupId id, Clock clock, Repository repository, Pipeline pipeline,
            ProcessRunner processes, ScratchDirectory scratch, VaultListener listener, Runnable claimCheck) {
        this.claimCheck = claimCheck;
        this.id = id;
        this.clock = clock;
        this.startedAt = clock.instant();
        this.repository = repository;
        this.encoder = pipeline.newSet();
        this.processes = processes;
        this.scratch = scratch;
        this.progress = new ProgressTracker(listener, clock, repository.id(), id, Phase.BACKUP);
    }

    @Override
    public BackupId id() {
        return id;
    }

    @Override
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    /**
     * Ends the backup: no object may be written any more, and none may still be in flight, or the set would be
     * committed without it (a strategy that returned while a background thread was still writing).
     *
     * @throws IllegalStateException when a write is still in flight
     */
    public void seal() {
        synchronized (written) {
            sealed = true;
            if (inFlight > 0) {
                throw new IllegalStateException("the strategy returned while " + inFlight + " object(s) of backup "
                        + id + " were still being written");
            }
        }
    }

    @Override
    public StoredObject writeObject(String name, Map<String, String> attributes, ObjectWriter writer) {
        synchronized (written) {
            if (sealed) {
                throw new IllegalStateException("backup " + id + " has ended: no object can be written to it now");
            }
            inFlight++;
        }
        try {
            return write(name, attributes, writer);
        } finally {
            synchronized (written) {
                inFlight--;
            }
        }
    }

    private StoredObject write(String name, Map<String, String> attributes, ObjectWriter writer) {
        claimCheck.run();
        String key = RepositoryLayout.objectKey(id, name, encoder.options());
        if (key.equals(RepositoryLayout.setKeyFile(id, ""))) {
            throw new IllegalArgumentException("object name '" + name + "' would be stored where the set's key file"
                    + " is: choose another name");
        }
        encoder.begin(clock.instant()); // the set key's one derivation runs beside this object's write
        AtomicReference<Encoded> encoded = new AtomicReference<>();
        repository.put(key, out -> {
            EncodingStream enc = encoder.encode(out);
            writer.writeTo(progress.counting(enc));
            encoded.set(enc.finish());
        });
        writeKeyFileOnce(); // before the object is recorded, so before any manifest could list it
        Encoded e = encoded.get();
        StoredObject object = new StoredObject(name, key, e.logicalBytes(), e.storedBytes(), e.storedSha256(),
                e.logicalSha256(), encoder.options().compression(), encoder.scheme(), encoder.attributes(e, attributes));
        synchronized (written) {
            written.add(object);
        }
        return object;
    }

    /**
     * With a passphrase, the set's key file is stored once, when the first object is done (its derivation ran beside
     * that object's write), and listed first in the manifest like any object (verified, copied and pruned with the
     * set). No object is recorded before it, so no manifest can list an object whose key file is missing.
     */
    private void writeKeyFileOnce() {
        synchronized (encoder) {
            if (!encoder.needsKeyFile()) {
                return;
            }
            String key = RepositoryLayout.setKeyFile(id, "");
            AtomicReference<Encoded> encoded = new AtomicReference<>();
            repository.put(key, out -> encoded.set(encoder.writeKeyFile(out, clock.instant())));
            StoredObject file = encoder.keyFileStored(SetEncoder.KEY_FILE, key, encoded.get());
            synchronized (written) {
                written.add(0, file);
            }
        }
    }

    /** @return logical bytes written so far */
    public long bytesWritten() {
        return progress.bytes();
    }

    /** @return every object written so far, in order */
    public List<StoredObject> written() {
        synchronized (written) {
            return List.copyOf(written);
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
