package io.pgvault.internal.pipeline;

import io.pgvault.api.DecryptionException;
import io.pgvault.api.Encryption;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.InvalidKeyException;
import io.pgvault.api.RepositoryException;
import io.pgvault.api.RepositoryLayout;
import io.pgvault.api.StoredObject;
import io.pgvault.spi.ObjectKeys;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Decodes the objects of one operation (a restore, a verification, a tier copy) from one repository. Objects
 * encrypted to their set's key ({@value SetEncoder#SCHEME}) are opened with that key, unwrapped from the set's key
 * file with the passphrase once per operation: the file's stored bytes are checked against the digest the manifest
 * recorded before anything is decrypted, and the unwrapped key is forgotten when the session closes. Thread-safe.
 */
public final class DecodeSession implements AutoCloseable {
    /** Largest stored key file accepted: an age scrypt file of an identity is about 400 bytes. */
    static final int MAX_KEY_FILE = 16 * 1024;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** Opens a stored object by its repository key. */
    @FunctionalInterface
    public interface Source {
        /**
         * @param key a repository key
         * @return its stored bytes
         */
        InputStream open(String key);
    }

    private final Pipeline pipeline;
    private final Source source;
    /** Unwrappings by key file and digest, started or done: one derivation per key file and session. */
    private final Map<String, java.util.concurrent.CompletableFuture<SetKey>> unwrapped = new HashMap<>();
    private boolean closed;

    DecodeSession(Pipeline pipeline, Source source) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.source = Objects.requireNonNull(source, "source");
    }

    /**
     * @param object a stored object
     * @return its logical bytes, verified as {@link Pipeline#decode} describes
     */
    public InputStream open(StoredObject object) {
        refuseKeyFile(object);
        Optional<SetKey> key = setKeyOf(object);
        InputStream stored = source.open(object.key());
        return key.isPresent() ? pipeline.decode(stored, object, key.get().reader(), "its set's key")
                : pipeline.decode(stored, object);
    }

    /**
     * @param stored the stored bytes of {@code object}; closed when decoding cannot start
     * @param object its manifest entry
     * @return its logical bytes, verified as {@link Pipeline#decode} describes
     */
    public InputStream decode(InputStream stored, StoredObject object) {
        Optional<SetKey> key;
        try {
            refuseKeyFile(object);
            key = setKeyOf(object);
        } catch (RuntimeException e) {
            try {
                stored.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return key.isPresent() ? pipeline.decode(stored, object, key.get().reader(), "its set's key")
                : pipeline.decode(stored, object);
    }

    /**
     * A set's key file is never decoded for a caller: its plaintext is the identity that opens every object of the
     * set, and only this session uses it ({@link #unwrap}). A strategy that reads every object of a set (one written
     * before set keys existed) is refused here instead of receiving it.
     */
    private static void refuseKeyFile(StoredObject object) {
        if (object.isSetKey()) {
            throw new IllegalArgumentException("object " + object.key() + " is its set's key file (role "
                    + StoredObject.SET_KEY_ROLE + "): the pipeline opens it to read the set's other objects, and never"
                    + " hands it out; strategies skip it");
        }
    }

    private Optional<SetKey> setKeyOf(StoredObject object) {
        if (!SetEncoder.SCHEME.equals(object.encryption())) {
            return Optional.empty();
        }
        return Optional.of(unwrap(object.attribute(SetEncoder.KEY_ATTRIBUTE),
                object.attribute(SetEncoder.KEY_SHA256_ATTRIBUTE), object.key()));
    }

    /**
     * @param keyFile the key file's repository key
     * @param sha256  the SHA-256 its stored bytes must have
     * @return the key it holds, unwrapped with the passphrase (once per session)
     */
    SetKey unwrap(String keyFile, String sha256) {
        return unwrap(keyFile, sha256, keyFile);
    }

    /**
     * Starts unwrapping, in the background, the key files {@code objects} name (the set's objects, before an
     * operation reads them), so that the derivation overlaps what the operation does first (checksums, creating the
     * target) instead of delaying its first object. Objects that name no valid key file are left for {@link #open}
     * to refuse; a failed unwrap is reported when an object needs the key.
     *
     * @param objects a set's objects
     */
    public void prefetch(java.util.List<StoredObject> objects) {
        for (StoredObject o : objects) {
            if (!SetEncoder.SCHEME.equals(o.encryption())) {
                continue;
            }
            try {
                future(o.attribute(SetEncoder.KEY_ATTRIBUTE), o.attribute(SetEncoder.KEY_SHA256_ATTRIBUTE), o.key(),
                        true);
            } catch (RuntimeException e) { // invalid: open() says why, if the operation gets that far
                return;
            }
        }
    }

    private SetKey unwrap(String keyFile, String sha256, String objectKey) {
        try {
            return SetEncoder.join(future(keyFile, sha256, objectKey, false));
        } catch (IOException e) { // the unwrapping throws nothing checked
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * @return the unwrapping of the key file, started now (on this thread when it will be joined at once, else on a
     *         daemon thread of its own) or earlier; validated before anything is read
     */
    private java.util.concurrent.CompletableFuture<SetKey> future(String keyFile, String sha256, String objectKey,
            boolean background) {
        String set = RepositoryLayout.owner(RepositoryLayout.DATA, objectKey).orElse("?");
        if (keyFile.isEmpty() || !SHA256.matcher(sha256).matches()) {
            throw new IntegrityException("object " + objectKey + " of backup set " + set + " is encrypted to its set's"
                    + " key but does not name the key file and its SHA-256 (a damaged or forged manifest)");
        }
        try {
            ObjectKeys.validate(keyFile);
        } catch (InvalidKeyException e) {
            throw new IntegrityException("object " + objectKey + " names an unsafe key file: " + e.getMessage());
        }
        if (!RepositoryLayout.owner(RepositoryLayout.DATA, keyFile).equals(
                RepositoryLayout.owner(RepositoryLayout.DATA, objectKey))) {
            throw new IntegrityException("object " + objectKey + " names the key file " + keyFile
                    + " of another set (a forged manifest)");
        }
        if (!(pipeline.options().encryption() instanceof Encryption.Passphrase passphrase)) {
            throw new DecryptionException("object " + objectKey + " of backup set " + set + " is encrypted to its set's"
                    + " own key, which is wrapped with an age passphrase (" + SetEncoder.SCHEME + "): configure "
                    + "Encryption.passphrase(...) with the passphrase it was written with, not "
                    + pipeline.options().encryption(), null);
        }
        java.util.concurrent.CompletableFuture<SetKey> started;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the decode session is closed");
            }
            String cacheKey = keyFile + "@" + sha256;
            java.util.concurrent.CompletableFuture<SetKey> known = unwrapped.get(cacheKey);
            if (known != null) {
                return known;
            }
            started = new java.util.concurrent.CompletableFuture<>();
            unwrapped.put(cacheKey, started);
        }
        Runnable work = () -> {
            try {
                started.complete(read(keyFile, sha256, set, passphrase));
            } catch (RuntimeException | Error e) {
                started.completeExceptionally(e);
            }
        };
        if (background) {
            Thread t = new Thread(work, "pgvault-set-key-unwrap");
            t.setDaemon(true);
            t.start();
        } else {
            work.run();
        }
        return started;
    }

    private SetKey read(String keyFile, String sha256, String set, Encryption.Passphrase passphrase) {
        byte[] stored;
        try (InputStream in = source.open(keyFile)) {
            stored = in.readNBytes(MAX_KEY_FILE + 1);
        } catch (IOException e) {
            throw new RepositoryException("cannot read the key file " + keyFile + " of backup set " + set + ": " + e,
                    e);
        }
        MessageDigest digest = Sha256.newDigest();
        digest.update(stored);
        String actual = Sha256.hex(digest);
        if (stored.length > MAX_KEY_FILE || !actual.equals(sha256)) {
            throw new IntegrityException("the key file " + keyFile + " of backup set " + set + " does not match its "
                    + "manifest (" + (stored.length > MAX_KEY_FILE ? "more than " + MAX_KEY_FILE + " bytes"
                    : "SHA-256 " + actual) + ", recorded " + sha256 + "): damaged or replaced; nothing was decrypted");
        }
        byte[] plaintext = null;
        try (InputStream in = new AgeDecryptingInput(new StoredBytesSource(new ByteArrayInputStream(stored)),
                new ScryptRecipientStanzaReader(passphrase.passphrase(), passphrase.maxReadWorkFactor()), keyFile,
                "the configured passphrase")) {
            plaintext = in.readNBytes(SetKey.MAX_PLAINTEXT + 1);
            return SetKey.parse(plaintext).orElseThrow(() -> new IntegrityException("the key file " + keyFile
                    + " of backup set " + set + " decrypts, but does not hold one age X25519 identity"));
        } catch (IOException e) {
            throw new DecryptionException("cannot decrypt the key file " + keyFile + " of backup set " + set + ": "
                    + e.getMessage(), e);
        } finally {
            if (plaintext != null) {
                Arrays.fill(plaintext, (byte) 0);
            }
        }
    }

    /** Forgets every unwrapped key; the session opens nothing more. */
    @Override
    public synchronized void close() {
        closed = true;
        unwrapped.clear();
    }

    @Override
    public String toString() {
        return "DecodeSession(" + unwrapped.size() + " set key(s))";
    }
}
