package io.pgvault.internal.pipeline;

import io.pgvault.api.Compression;
import io.pgvault.api.Encryption;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.StoredObject;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Encodes the objects of one set being written (ADR 0003). With a passphrase, the set gets a fresh age X25519 key:
 * its objects are encrypted to that key's recipient (no key derivation per object), and the key itself is written
 * once, as the set's key file, an age scrypt file of the passphrase: one scrypt derivation per set, and still plain
 * age for an operator. With an X25519 identity or no encryption, objects are encoded exactly as
 * {@link Pipeline#encode} does. Thread-safe: a set's objects may be written from several threads.
 */
public final class SetEncoder {
    /** The encryption scheme recorded on objects encrypted to their set's key. */
    public static final String SCHEME = "age-set-key";
    /** Object attribute: the repository key of the key file that opens the object. */
    public static final String KEY_ATTRIBUTE = "ageSetKey";
    /** Object attribute: the SHA-256 of that key file's stored bytes, checked before the file is decrypted. */
    public static final String KEY_SHA256_ATTRIBUTE = "ageSetKeySha256";
    /** The {@code role} attribute of a key file's manifest entry. */
    public static final String KEY_ROLE = StoredObject.SET_KEY_ROLE;
    /** A key file's name within its set (or within a tier writer's folder). */
    public static final String KEY_FILE = "set-key.age";

    private final Pipeline pipeline;
    private final Encryption.Passphrase passphrase;
    private SetKey key;
    private StoredObject keyFile;

    SetEncoder(Pipeline pipeline) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.passphrase = pipeline.options().encryption() instanceof Encryption.Passphrase p ? p : null;
    }

    /** @return the options objects are encoded with */
    public PipelineOptions options() {
        return pipeline.options();
    }

    /** @return whether objects need the set's key file, written (or adopted) before the first of them */
    public synchronized boolean needsKeyFile() {
        return passphrase != null && keyFile == null;
    }

    /**
     * Writes the set's key file (taking the set's key first if {@link #begin} has not): the identity as
     * {@code age-keygen} writes it, age scrypt encrypted with the passphrase (the set's one derivation, made ahead or
     * now), not compressed.
     *
     * @param sink    where the stored bytes go (not closed)
     * @param created when, recorded in the file's comment
     * @return the stored file's sizes and digests
     * @throws IOException when the sink fails
     */
    public synchronized Encoded writeKeyFile(OutputStream sink, Instant created) throws IOException {
        if (passphrase == null) {
            throw new IllegalStateException("only a passphrase wraps a set key");
        }
        if (keyFile != null) {
            throw new IllegalStateException("the set's key file was already written or adopted: " + keyFile.key());
        }
        begin(created);
        SetKeyReserve.Wrapped w; // made ahead, or begun with the set: its bytes once derived
        try {
            w = join(wrapping);
        } catch (OutOfMemoryError e) {
            throw new PgVaultException(ErrorCode.CONFIGURATION, "wrapping the set's key with the passphrase (scrypt, "
                    + "work factor " + passphrase.workFactor() + ") ran out of heap: it needs "
                    + (128L << passphrase.workFactor()) * 8 / (1024 * 1024) + " MiB at once; raise -Xmx or lower the"
                    + " work factor (writer and readers alike), or use an X25519 identity", e);
        }
        sink.write(w.stored());
        return w.encoded();
    }

    private java.util.concurrent.CompletableFuture<SetKeyReserve.Wrapped> wrapping;

    /**
     * Takes the set's key, if it has none yet: the one made ahead after the previous set ({@link SetKeyReserve}),
     * else a fresh one whose key file is encrypted on a daemon thread. Objects can be encrypted to the key at once,
     * and the scrypt derivation, if it is not done yet, runs beside the backup instead of before it.
     * {@link #writeKeyFile} then stores the result. Does nothing without a passphrase, or once begun.
     *
     * @param created when, recorded in the file's comment if the key is made now
     */
    public synchronized void begin(Instant created) {
        if (passphrase == null || key != null || keyFile != null) {
            return;
        }
        SetKeyReserve.Prepared p = pipeline.setKeyReserve().take(created);
        key = p.key();
        wrapping = p.wrapped();
    }

    /**
     * @return the future's result, waiting for it; what its work threw is rethrown as it was (not wrapped)
     */
    static <T> T join(java.util.concurrent.CompletableFuture<T> future) throws IOException {
        try {
            return future.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /** The key file: the key's age-keygen text, age scrypt encrypted (one derivation), not compressed. */
    static Encoded writeKeyFile(SetKey key, Encryption.Passphrase passphrase, OutputStream sink,
            Instant created) throws IOException {
        byte[] text = key.fileText(created);
        try (EncodingStream enc = new StagedEncodingStream(sink, Compression.none(),
                new ScryptRecipientStanzaWriter(passphrase.passphrase(), passphrase.workFactor()))) {
            enc.write(text);
            return enc.finish();
        } finally {
            Arrays.fill(text, (byte) 0);
        }
    }

    /**
     * @param name    the key file's name in the manifest
     * @param repoKey where it was stored
     * @param encoded what {@link #writeKeyFile} returned
     * @return its manifest entry; from now on objects are encrypted to the key and point at this file
     */
    public synchronized StoredObject keyFileStored(String name, String repoKey, Encoded encoded) {
        if (key == null) {
            throw new IllegalStateException("no key file was written");
        }
        keyFile = new StoredObject(name, repoKey, encoded.logicalBytes(), encoded.storedBytes(),
                encoded.storedSha256(), encoded.logicalSha256(), Compression.none(),
                pipeline.options().encryption().scheme(), encoded.withHeader(Map.of("role", KEY_ROLE)));
        return keyFile;
    }

    /**
     * Continues with a key file written earlier (an interrupted tier copy resumed), already opened by
     * {@code session}: the one derivation this operation pays for it.
     *
     * @param session reads the key file with this encoder's passphrase
     * @param file    the key file's manifest entry
     */
    public synchronized void adopt(DecodeSession session, StoredObject file) {
        if (passphrase == null) {
            throw new IllegalStateException("only a passphrase wraps a set key");
        }
        if (key != null || keyFile != null) { // objects may already be encrypted to the key taken
            throw new IllegalStateException("this set already has its key: a key file can be adopted only first");
        }
        key = session.unwrap(file.key(), file.storedSha256());
        keyFile = file;
    }

    /** @return the key file objects are encrypted to, once written or adopted */
    public synchronized java.util.Optional<StoredObject> keyFile() {
        return java.util.Optional.ofNullable(keyFile);
    }

    /**
     * @param sink where stored bytes go; not closed
     * @return the stream to write one object's logical bytes into
     * @throws IllegalStateException when the set's key file has not been written yet
     */
    public EncodingStream encode(OutputStream sink) {
        if (passphrase == null) {
            return pipeline.encode(sink);
        }
        SetKey k;
        synchronized (this) {
            if (key == null) {
                throw new IllegalStateException("the set's key must be made (begin, or its key file written) before "
                        + "its objects are encoded");
            }
            k = key;
        }
        return new StagedEncodingStream(Objects.requireNonNull(sink, "sink"), pipeline.options().compression(),
                k.writer());
    }

    /** @return the encryption scheme to record on the objects this encodes */
    public String scheme() {
        return passphrase != null ? SCHEME : pipeline.options().encryption().scheme();
    }

    /**
     * @param encoded    an object this encoder encoded
     * @param attributes the writer's attributes for it
     * @return them with the age header pin and, for a set key, where the key file is and its digest
     */
    public synchronized Map<String, String> attributes(Encoded encoded, Map<String, String> attributes) {
        Map<String, String> out = new LinkedHashMap<>(encoded.withHeader(attributes));
        out.remove(KEY_ATTRIBUTE);
        out.remove(KEY_SHA256_ATTRIBUTE);
        if (passphrase != null && keyFile != null) {
            out.put(KEY_ATTRIBUTE, keyFile.key());
            out.put(KEY_SHA256_ATTRIBUTE, keyFile.storedSha256());
        }
        return out;
    }

    /**
     * Re-wraps a set's key with another passphrase (rotation): the key, and so every object, stays the same; only
     * the key file is new. One derivation to unwrap, one to wrap.
     *
     * @param from    opens the current key file (with the previous passphrase)
     * @param keyFile the current key file's entry
     * @param to      the passphrase to wrap with
     * @param sink    where the new key file's stored bytes go (not closed)
     * @param created when, recorded in the file's comment
     * @return the new file's sizes and digests
     * @throws IOException when the sink fails
     */
    public static Encoded rewrap(DecodeSession from, StoredObject keyFile, Encryption.Passphrase to,
            OutputStream sink, Instant created) throws IOException {
        return writeKeyFile(from.unwrap(keyFile.key(), keyFile.storedSha256()), to, sink, created);
    }

    /**
     * @param session a session with a passphrase
     * @param keyFile a key file's repository key
     * @param sha256  its stored SHA-256
     * @return the public recipient of the key it holds (to prove two files hold the same key)
     */
    public static String recipientOf(DecodeSession session, String keyFile, String sha256) {
        return session.unwrap(keyFile, sha256).recipient();
    }

    @Override
    public String toString() {
        return "SetEncoder(" + scheme() + ")";
    }
}
