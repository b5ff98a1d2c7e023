package io.pgvault.testkit;

import io.pgvault.spi.IncompleteWrite;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectWriter;
import io.pgvault.spi.Repository;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A wrapper must not silently drop what a store does beyond the six basic calls: archive retrieval before a restore
 * and the sweep of incomplete uploads reach the wrapped repository.
 */
class ForwardingRepositoryTest {
    @Test
    @DisplayName("prepareRead, incompleteWrites and abortIncompleteWrite reach the delegate")
    void forwardsOptionalCalls() {
        List<String> calls = new ArrayList<>();
        IncompleteWrite upload = new IncompleteWrite("data/x/obj", "upload-1", Instant.parse("2026-12-01T00:00:00Z"));
        Repository store = new Repository() {
            @Override
            public String id() {
                return "recording";
            }

            @Override
            public ObjectInfo put(String key, ObjectWriter writer) {
                throw new UnsupportedOperationException();
            }

            @Override
            public InputStream open(String key) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Optional<ObjectInfo> stat(String key) {
                return Optional.empty();
            }

            @Override
            public List<ObjectInfo> list(String prefix) {
                return List.of();
            }

            @Override
            public void delete(String key) {
            }

            @Override
            public void prepareRead(Collection<String> keys) {
                calls.add("prepareRead " + keys);
            }

            @Override
            public List<IncompleteWrite> incompleteWrites(String prefix) {
                calls.add("incompleteWrites " + prefix);
                return List.of(upload);
            }

            @Override
            public void abortIncompleteWrite(IncompleteWrite write) {
                calls.add("abort " + write.id());
            }
        };
        Repository wrapped = new ForwardingRepository(store) { };

        wrapped.prepareRead(List.of("data/x/a", "data/x/b"));
        assertThat(wrapped.incompleteWrites("data/")).containsExactly(upload);
        wrapped.abortIncompleteWrite(upload);

        assertThat(calls).containsExactly("prepareRead [data/x/a, data/x/b]", "incompleteWrites data/",
                "abort upload-1");
    }
}
