package io.pgvault.api;

import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectKeys;
import io.pgvault.spi.ObjectWriter;
import io.pgvault.spi.Repository;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** A test double for core's own unit tests (the real repositories live in their modules and pass the testkit). */
class InMemoryRepository implements Repository {
    final ConcurrentSkipListMap<String, byte[]> objects = new ConcurrentSkipListMap<>();
    private final java.util.Map<String, Instant> modified = new java.util.concurrent.ConcurrentHashMap<>();

    private Instant modified(String key) {
        return modified.computeIfAbsent(key, k -> Instant.now());
    }

    @Override
    public String id() {
        return "memory:test";
    }

    @Override
    public ObjectInfo put(String key, ObjectWriter writer) {
        ObjectKeys.validate(key);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            writer.writeTo(buf);
        } catch (IOException e) {
            throw new RepositoryException("put " + key + " failed: " + e.getMessage(), e);
        }
        objects.put(key, buf.toByteArray());
        modified.put(key, Instant.now());
        return new ObjectInfo(key, buf.size(), modified(key), Optional.empty());
    }

    @Override
    public InputStream open(String key) {
        byte[] b = objects.get(ObjectKeys.validate(key));
        if (b == null) {
            throw new NotFoundException("no object " + key);
        }
        return new ByteArrayInputStream(b);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        byte[] b = objects.get(ObjectKeys.validate(key));
        return b == null ? Optional.empty() : Optional.of(new ObjectInfo(key, b.length, modified(key), Optional.empty()));
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        ObjectKeys.validatePrefix(prefix);
        return objects.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .map(e -> new ObjectInfo(e.getKey(), e.getValue().length, modified(e.getKey()), Optional.empty())).toList();
    }

    @Override
    public void delete(String key) {
        objects.remove(ObjectKeys.validate(key));
        modified.remove(key);
    }
}
