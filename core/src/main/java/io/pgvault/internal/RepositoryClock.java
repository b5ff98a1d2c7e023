package io.pgvault.internal;

import io.pgvault.api.RepositoryException;
import io.pgvault.api.RepositoryLayout;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.Repository;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * Reads a repository's own clock: writes a tiny probe object, takes the modification time the store gave it, and
 * removes it. Ages of other objects (debris, intents) are measured against this, never against the local clock,
 * so a host whose clock is hours off cannot judge a live writer's objects abandoned.
 */
public final class RepositoryClock {
    private RepositoryClock() {
    }

    /**
     * @param repository the store
     * @return the store's time now (as precise as its modification times)
     */
    public static Instant now(Repository repository) {
        String key = RepositoryLayout.CLOCK + UUID.randomUUID();
        repository.put(key, out -> out.write("clock probe\n".getBytes(StandardCharsets.US_ASCII)));
        try {
            ObjectInfo info = repository.stat(key).orElseThrow(() -> new RepositoryException(
                    "clock probe " + key + " vanished from " + repository.id() + " right after it was written", null));
            return info.lastModified();
        } finally {
            repository.delete(key);
        }
    }
}
