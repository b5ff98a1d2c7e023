package io.pgvault.api;

import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectKeys;
import io.pgvault.spi.ObjectWriter;
import io.pgvault.spi.Repository;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;

/**
 * A repository shared by several simulated processes: modification times come from the store's own clock (which the
 * test moves, independently of any writer's clock), {@code putIfAbsent} is atomic as on a store with conditional
 * writes (or not, when told), and hooks let a test run another process's step in the middle of a listing or a put.
 */
class SharedRepository implements Repository {
    final ConcurrentSkipListMap<String, byte[]> objects = new ConcurrentSkipListMap<>();
    private final Map<String, Instant> modified = new ConcurrentHashMap<>();
    private final String name;
    volatile Instant storeNow = Instant.parse("2026-01-10T12:00:00Z");
    /** Runs before a listing of the given prefix returns (another process acting in between). */
    volatile Consumer<String> beforeList = p -> { };
    /** Runs after the bytes of a put are produced and before they become visible. */
    volatile Consumer<String> beforeCommit = k -> { };
    volatile boolean atomicCreate = true;
    volatile boolean down;

    SharedRepository(String name) {
        this.name = name;
    }

    void advance(Duration d) {
        storeNow = storeNow.plus(d);
    }

    @Override
    public String id() {
        return "shared:" + name;
    }

    private void up() {
        if (down) {
            throw new RepositoryException(id() + " is unreachable: 503 Service Unavailable", null);
        }
    }

    @Override
    public ObjectInfo put(String key, ObjectWriter writer) {
        ObjectKeys.validate(key);
        up();
        byte[] bytes = produce(key, writer);
        beforeCommit.accept(key);
        objects.put(key, bytes);
        modified.put(key, storeNow);
        return info(key, bytes);
    }

    @Override
    public Optional<ObjectInfo> putIfAbsent(String key, ObjectWriter writer) {
        if (!atomicCreate) {
            return Repository.super.putIfAbsent(key, writer);
        }
        ObjectKeys.validate(key);
        up();
        byte[] bytes = produce(key, writer);
        beforeCommit.accept(key);
        synchronized (this) {
            if (objects.putIfAbsent(key, bytes) != null) {
                return Optional.empty();
            }
            modified.put(key, storeNow);
        }
        return Optional.of(info(key, bytes));
    }

    @Override
    public boolean putIfAbsentIsAtomic() {
        return atomicCreate;
    }

    private byte[] produce(String key, ObjectWriter writer) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try {
            writer.writeTo(buf);
        } catch (IOException e) {
            throw new RepositoryException("put " + key + " failed: " + e.getMessage(), e);
        }
        return buf.toByteArray();
    }

    @Override
    public InputStream open(String key) {
        up();
        byte[] b = objects.get(ObjectKeys.validate(key));
        if (b == null) {
            throw new NotFoundException("no object " + key + " in " + id());
        }
        return new ByteArrayInputStream(b);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) {
        up();
        byte[] b = objects.get(ObjectKeys.validate(key));
        return b == null ? Optional.empty() : Optional.of(info(key, b));
    }

    @Override
    public List<ObjectInfo> list(String prefix) {
        ObjectKeys.validatePrefix(prefix);
        up();
        List<ObjectInfo> result = objects.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .map(e -> info(e.getKey(), e.getValue())).toList();
        beforeList.accept(prefix);
        return result;
    }

    @Override
    public void delete(String key) {
        up();
        objects.remove(ObjectKeys.validate(key));
        modified.remove(key);
    }

    /** Writes raw bytes as a hand (or an attacker) would, bypassing pgvault. */
    void plant(String key, String content) {
        objects.put(key, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        modified.put(key, storeNow);
    }

    String read(String key) {
        return new String(objects.get(key), java.nio.charset.StandardCharsets.UTF_8);
    }

    private ObjectInfo info(String key, byte[] bytes) {
        return new ObjectInfo(key, bytes.length, modified.getOrDefault(key, storeNow), Optional.empty());
    }
}
