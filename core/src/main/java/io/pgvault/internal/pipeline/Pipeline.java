package io.pgvault.internal.pipeline;

import io.pgvault.api.PipelineOptions;
import io.pgvault.api.StoredObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * The streaming stages between a tool and a repository: compression (none, gzip, zstd), age v1 encryption
 * (scrypt passphrase or X25519, readable by the {@code age} CLI), and SHA-256 of both the logical and the stored
 * bytes. Buffers are fixed (about 128–256 KiB per stage), whatever the size of the data; a slow sink slows the writer.
 * Thread-safe; each stream it returns belongs to one thread. With a passphrase it keeps the next set's key, made
 * ahead ({@link #prepareSetKey}).
 */
public final class Pipeline {
    private static final int DIGEST_BUFFER = 128 * 1024;

    private final PipelineOptions options;
    private final AgeKeyring keyring;
    /** The next set's key, made ahead; only with a passphrase. */
    private final SetKeyReserve setKeys;

    /**
     * @param options compression and encryption for new objects; the encryption's key also opens stored ones
     * @throws io.pgvault.api.ConfigurationException when the age identity is malformed
     */
    public Pipeline(PipelineOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.keyring = new AgeKeyring(options.encryption());
        this.setKeys = options.encryption() instanceof io.pgvault.api.Encryption.Passphrase p ? new SetKeyReserve(p)
                : null;
    }

    /** @return the compression and encryption this pipeline applies */
    public PipelineOptions options() {
        return options;
    }

    /**
     * Logical bytes → SHA-256 → compression → encryption → SHA-256 → {@code sink}. Nothing is written to the sink
     * before the first logical byte (or {@link EncodingStream#finish()}).
     *
     * @param sink where stored bytes go; not closed by {@link EncodingStream#finish()} nor by close()
     * @return the stream to write logical bytes into
     */
    public EncodingStream encode(OutputStream sink) {
        Objects.requireNonNull(sink, "sink");
        return new StagedEncodingStream(sink, options.compression(), keyring.writer().orElse(null));
    }

    /**
     * Decodes with the object's own compression and encryption scheme, opening age objects with this pipeline's key.
     * Closing the returned stream closes {@code stored}.
     *
     * @param stored the stored bytes of {@code object}
     * @param object the manifest entry: compression, encryption scheme, sizes and digests to check
     * @return the logical bytes; integrity failures surface from read() before the final bytes are released:
     *         {@link io.pgvault.api.IntegrityException} for damaged or truncated data,
     *         {@link io.pgvault.api.DecryptionException} for a wrong key or altered ciphertext, and
     *         {@link IOException} when reading {@code stored} itself fails
     * @throws io.pgvault.api.DecryptionException when this pipeline holds no key for the object's scheme
     */
    public InputStream decode(InputStream stored, StoredObject object) {
        Objects.requireNonNull(stored, "stored");
        Objects.requireNonNull(object, "object");
        return new VerifyingDecodingStream(stored, object, keyring.reader(object).orElse(null),
                keyring.describeKey());
    }

    /**
     * Decodes with a given age identity instead of this pipeline's key (an object encrypted to its set's key).
     */
    InputStream decode(InputStream stored, StoredObject object, com.exceptionfactory.jagged.RecipientStanzaReader
            identity, String keyDescription) {
        return new VerifyingDecodingStream(Objects.requireNonNull(stored, "stored"), object, identity, keyDescription);
    }

    /**
     * @return an encoder for the objects of one new set: with a passphrase, they are encrypted to a fresh key of the
     *         set, wrapped once (see {@link SetEncoder})
     */
    public SetEncoder newSet() {
        return new SetEncoder(this);
    }

    /** @return the passphrase's reserve of set keys made ahead */
    SetKeyReserve setKeyReserve() {
        if (setKeys == null) {
            throw new IllegalStateException("only a passphrase wraps set keys");
        }
        return setKeys;
    }

    /**
     * With a passphrase, starts making the next set's key on a daemon thread, unless one is ready or being made: its
     * one scrypt derivation then runs now, between operations, and the next set written through this pipeline takes
     * the key ready instead of deriving during its backup. Call it when a set has been written (or has failed). The
     * key is kept as its public recipient and its wrapped key file only. Does nothing without a passphrase.
     *
     * @param created when the key is made (recorded in its key file's comment)
     */
    public void prepareSetKey(java.time.Instant created) {
        if (setKeys == null) {
            return;
        }
        try {
            setKeys.refill(created);
        } catch (RuntimeException | Error e) { // called from finally blocks: never hide what the operation did
            org.slf4j.LoggerFactory.getLogger(Pipeline.class).warn("the next set's key could not be made ahead ({});"
                    + " the next backup makes its own", e.toString());
        }
    }

    /**
     * @param source opens stored objects (and sets' key files) by key
     * @return a session for one operation's reads; close it when the operation ends
     */
    public DecodeSession session(DecodeSession.Source source) {
        return new DecodeSession(this, source);
    }

    /**
     * @param in a stream, read to its end (not closed)
     * @return its size and SHA-256
     * @throws IOException when reading fails
     */
    public static Digest digest(InputStream in) throws IOException {
        MessageDigest sha256 = Sha256.newDigest();
        byte[] buffer = new byte[DIGEST_BUFFER];
        long size = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            sha256.update(buffer, 0, n);
            size += n;
        }
        return new Digest(size, Sha256.hex(sha256));
    }
}
