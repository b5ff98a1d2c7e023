package io.pgvault.api.tier;

import io.pgvault.api.NotFoundException;
import io.pgvault.api.RepositoryException;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectKeys;
import io.pgvault.spi.ObjectWriter;
import io.pgvault.spi.Repository;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Predicate;

/**
 * An in-memory repository for core's tier tests, with fault injection: a put that dies after some bytes, bytes
 * altered on their way into storage, listing that fails. Atomic like the real ones: a failed put leaves nothing.
 */
class MemoryRepository implements Repository {
    final ConcurrentSkipListMap<String, byte[]> objects = new ConcurrentSkipListMap<>();
    /** Every key opened, in order. */
    final List<String> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Every key put successfully, in order (a key put twice appears twice). */
    final List<String> puts = new ArrayList<>();
    private final Map<String, Instant> modified = new ConcurrentHashMap<>();
    private final String id;
    /** Puts whose key matches fail after writing half their bytes. */
    volatile Predicate<String> failPut = k -> false;
    /** Puts whose key matches store their bytes with one byte flipped. */
    volatile Predicate<String> corruptPut = k -> false;
    volatile boolean failList;
    /** Report a SHA-256 of the bytes in stat/list, as a store that records digests would. */
    volatile boolean reportsDigest;

    MemoryRepository(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return "memory:" + id;
    }

    @Override
    public ObjectInfo put(String key, ObjectWriter writer) {
        ObjectKeys.validate(key);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        boolean fail = failPut.test(key);
        try {
            writer.writeTo(fail ? new DyingStream(buf) : buf);
        } catch (IOException e) {
            throw new RepositoryException("put " + key + " into " + id() + " failed: " + e.getMessage(), e);
        }
        if (fail) {
            throw new RepositoryException("put " + key + " into " + id() + " failed: connection reset", null);
        }
        byte[] bytes = buf.toByteArray();
        if (corruptPut.test(key) && bytes.length > 0) {
            bytes[bytes.length / 2] ^= 0x01;
        }
        objects.put(key, bytes);
        modified.put(key, Instant.now());
        synchronized (puts) {
            puts.add(key);
        }
        return info(key, bytes);
    }

    /** Makes an object look {@code age} older (debris is only removed after a grace period). */
    void backdate(String key, java.time.Duration age) {
        modified.computeIfPresent(key, (k, t) -> t.minus(age));
    }

    /** @return how many times {@code key} was stored */
    int putCount(String key) {
        synchronized (puts) {
            return (int) puts.stream().filter(key::equals).count();
        }
    }

    /** @return keys put whose key starts with {@code prefix} */
    List<String> putsUnder(String prefix) {
        synchronized (puts) {
            return puts.stream().filter(k -> k.startsWith(prefix)).toList();
        }
    }

    @Override
    public InputStream open(String key) {
        opened.add(key);
        byte[] b = objects.get(ObjectKeys.validate(key));
        if (b == null) {
            throw new NotFoundException("no object " + key + " in " + id());
        }
        return new ByteArrayInputStream(b);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        byte[] b = objects.get(ObjectKeys.validate(key));
        return b == null ? Optional.empty() : Optional.of(info(key, b));
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        ObjectKeys.validatePrefix(prefix);
        if (failList) {
            throw new RepositoryException("cannot list " + id() + ": 503 Service Unavailable", null);
        }
        return objects.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .map(e -> info(e.getKey(), e.getValue())).toList();
    }

    @Override
    public void delete(String key) {
        objects.remove(ObjectKeys.validate(key));
        modified.remove(key);
    }

    private ObjectInfo info(String key, byte[] bytes) {
        Optional<String> sha = reportsDigest ? Optional.of(sha256(bytes)) : Optional.empty();
        return new ObjectInfo(key, bytes.length, modified.getOrDefault(key, Instant.now()), sha);
    }

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return id();
    }

    /** Accepts a few bytes, then fails like a cut connection. */
    private static final class DyingStream extends OutputStream {
        private final OutputStream out;
        private long written;

        DyingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (written + len > 100) {
                throw new IOException("connection reset by peer after " + written + " bytes");
            }
            out.write(b, off, len);
            written += len;
        }
    }
}
