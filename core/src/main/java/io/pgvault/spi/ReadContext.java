package io.pgvault.spi;

import io.pgvault.api.StoredObject;
import io.pgvault.spi.process.ProcessRunner;

import java.io.InputStream;
import java.nio.file.Path;

/**
 * What core gives a {@link BackupStrategy} to restore or verify a set: decoded streams of its objects, checksum
 * verification of the stored bytes, the process runner and a scratch directory.
 *
 * @since 0.1.0
 */
public interface ReadContext {

    /**
     * Opens an object's logical bytes: decrypted, decompressed, and checked against both recorded digests. A
     * mismatch, truncation or wrong key surfaces as {@link io.pgvault.api.IntegrityException} (or its subclass
     * {@link io.pgvault.api.DecryptionException}) from {@code read}, before the final bytes are handed out.
     *
     * @param object the object to open
     * @return its logical bytes; the caller closes the stream
     */
    InputStream openObject(StoredObject object);

    /**
     * Reads the stored bytes of an object and checks their size and SHA-256 against the manifest.
     *
     * @param object the object to check
     * @throws io.pgvault.api.IntegrityException when they differ
     * @throws io.pgvault.api.NotFoundException when the object is missing
     */
    void verifyStored(StoredObject object);

    /** @return the runner every external tool must be started through */
    ProcessRunner processes();

    /** @return a private directory for staging (parallel restore); core deletes it afterwards */
    Path scratchDirectory();
}
