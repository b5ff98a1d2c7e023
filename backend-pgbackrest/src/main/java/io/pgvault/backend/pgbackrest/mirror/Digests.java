package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.RepositoryException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 while streaming. */
final class Digests {
    static final int BUFFER = 128 * 1024;

    private Digests() {
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What streaming counted and hashed. */
    record Sum(long size, String sha256) {
    }

    /** Copies {@code in} to {@code out} (which may be null), returning size and SHA-256 of what passed. */
    static Sum copy(InputStream in, OutputStream out) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[BUFFER];
        long size = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            md.update(buf, 0, n);
            if (out != null) {
                out.write(buf, 0, n);
            }
            size += n;
        }
        return new Sum(size, HexFormat.of().formatHex(md.digest()));
    }

    /** Hashes a stream fully, closing it. */
    static Sum of(InputStream in, String what) {
        try (InputStream s = in) {
            return copy(s, null);
        } catch (IOException e) {
            throw new RepositoryException("cannot read " + what + ": " + e, e);
        }
    }
}
