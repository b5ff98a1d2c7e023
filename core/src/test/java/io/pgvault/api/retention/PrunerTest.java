package io.pgvault.api.retention;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import io.pgvault.api.Catalog;
import io.pgvault.api.NotFoundException;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectWriter;
import io.pgvault.spi.Repository;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

import static io.pgvault.api.retention.RetentionTesting.set;
import static org.assertj.core.api.Assertions.assertThat;

class PrunerTest {
    private final MemoryRepository repo = new MemoryRepository();
    private final Catalog catalog = new Catalog(repo);
    private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

    private BackupSet commit(BackupSet s) {
        String key = Catalog.dataPrefix(s.id()) + "dump";
        repo.put(key, out -> out.write(1));
        BackupSet listed = new BackupSet(s.id(), s.strategy(), s.type(), s.status(), s.source(), s.startedAt(),
                s.finishedAt(), s.dependsOn(), List.of(new io.pgvault.api.StoredObject("dump", key, 1, 1, "00", "00",
                io.pgvault.api.Compression.none(), "none", Map.of())), s.attributes(), s.lastVerified());
        catalog.commit(listed);
        return listed;
    }

    @Test
    @DisplayName("dry run removes nothing; execute removes manifests and objects, newest first, then old debris")
    void dryRunThenExecute() {
        BackupSet full = commit(set("full", BackupType.FULL, t0));
        BackupSet diff = commit(set("diff", BackupType.DIFF, BackupStatus.COMPLETE, t0.plusSeconds(60), "full",
                Map.of()));
        BackupSet next = commit(set("next", BackupType.FULL, t0.plusSeconds(120)));
        repo.put("data/orphan/x", out -> out.write(2));
        RetentionPlan plan = RetentionPolicy.keepLast(1).plan(catalog.list(), t0.plusSeconds(180));
        Pruner pruner = Pruner.of(catalog).withDebrisGrace(Duration.ZERO);

        PruneReport dry = pruner.prune(plan);
        assertThat(dry.dryRun()).isTrue();
        assertThat(dry.removed()).containsExactly(diff, full);
        assertThat(dry.debris()).containsExactly("data/orphan/x");
        assertThat(catalog.list()).hasSize(3);

        PruneReport done = pruner.prune(plan, PruneMode.EXECUTE);
        assertThat(done.removed()).containsExactly(diff, full);
        assertThat(catalog.list()).containsExactly(next);
        assertSweptClean("data/next/dump", "manifests/next.json");
        assertThat(done.render()).startsWith("removed 2 set(s)");
    }

    @Test
    @DisplayName("an interrupted prune (manifest gone, objects left) is finished as debris by the next prune")
    void interrupted() {
        commit(set("old", BackupType.LOGICAL, t0));
        commit(set("new", BackupType.LOGICAL, t0.plusSeconds(60)));
        repo.delete(Catalog.manifestKey(io.pgvault.api.BackupId.of("old"))); // what a crash after step 1 leaves
        RetentionPlan plan = RetentionPolicy.keepLast(1).plan(catalog.list(), t0.plusSeconds(120));
        PruneReport report = Pruner.of(catalog).withDebrisGrace(Duration.ZERO).prune(plan, PruneMode.EXECUTE);
        assertThat(report.removed()).isEmpty();
        assertThat(report.debris()).containsExactly("data/old/dump");
        assertSweptClean("data/new/dump", "manifests/new.json");
    }

    @Test
    @DisplayName("young debris may be a backup in progress: left alone within the grace period")
    void debrisGrace() {
        commit(set("new", BackupType.LOGICAL, t0));
        repo.put("data/inprogress/x", out -> out.write(3));
        PruneReport report = Pruner.of(catalog).prune(RetentionPolicy.keepLast(1).plan(catalog.list(), t0),
                PruneMode.EXECUTE);
        assertThat(report.debris()).isEmpty();
        assertThat(repo.objects).containsKey("data/inprogress/x");
    }

    @Test
    @DisplayName("a set the plan deletes survives when a set committed after planning depends on it")
    void newDependentProtectsBase() {
        commit(set("full", BackupType.FULL, t0));
        commit(set("full2", BackupType.FULL, t0.plusSeconds(60)));
        RetentionPlan plan = RetentionPolicy.keepLast(1).plan(catalog.list(), t0.plusSeconds(120));
        commit(set("late", BackupType.DIFF, BackupStatus.COMPLETE, t0.plusSeconds(130), "full", Map.of()));
        PruneReport report = Pruner.of(catalog).prune(plan, PruneMode.EXECUTE);
        assertThat(report.removed()).isEmpty();
        assertThat(report.skipped()).containsExactly("full: late (listed now, not deleted) depends on it");
        assertThat(catalog.list()).hasSize(3);
    }

    @Test
    @DisplayName("a set the prune has to keep when it comes to it (a restore began reading it after planning) keeps "
            + "the sets it depends on, though the plan deleted them too")
    void setKeptAtExecutionKeepsItsBases() {
        BackupSet full = commit(set("full", BackupType.FULL, t0));
        BackupSet diff = commit(set("diff", BackupType.DIFF, BackupStatus.COMPLETE, t0.plusSeconds(60), "full",
                Map.of()));
        commit(set("next", BackupType.FULL, t0.plusSeconds(120)));
        RetentionPlan plan = RetentionPolicy.keepLast(1).plan(catalog.list(), t0.plusSeconds(180));
        assertThat(plan.deleted()).extracting(RetentionDecision::id).containsExactlyInAnyOrder(full.id(), diff.id());
        try (io.pgvault.internal.ReadClaim claim = io.pgvault.internal.ReadClaim.acquire(repo, diff.id(), "restore",
                io.pgvault.api.Leases.defaults())) {
            assertThat(claim.held()).isTrue();
            PruneReport report = Pruner.of(catalog).prune(plan, PruneMode.EXECUTE);
            assertThat(report.removed()).isEmpty();
            assertThat(report.skipped()).hasSize(2);
            assertThat(report.skipped().get(0)).startsWith("diff: being read (reading-").endsWith(", restore)");
            assertThat(report.skipped().get(1)).isEqualTo("full: diff (kept) depends on it");
        }
        assertThat(catalog.list()).hasSize(3);
        assertThat(Pruner.of(catalog).prune(plan, PruneMode.EXECUTE).removed()).containsExactly(diff, full);
    }

    @Test
    @DisplayName("a dependent dated before its base (a writer's slow clock) is still pruned before it, so a dependent "
            + "kept at execution keeps its base")
    void skewedDependentComesFirst() {
        BackupSet full = commit(set("full", BackupType.FULL, t0.plusSeconds(60)));
        BackupSet diff = commit(set("diff", BackupType.DIFF, BackupStatus.COMPLETE, t0, "full", Map.of()));
        commit(set("next", BackupType.FULL, t0.plusSeconds(120)));
        RetentionPlan plan = RetentionPolicy.keepLast(1).plan(catalog.list(), t0.plusSeconds(180));
        assertThat(Pruner.of(catalog).prune(plan).removed()).as("dry run order").containsExactly(diff, full);
        try (io.pgvault.internal.ReadClaim claim = io.pgvault.internal.ReadClaim.acquire(repo, diff.id(), "verify",
                io.pgvault.api.Leases.defaults())) {
            PruneReport report = Pruner.of(catalog).prune(plan, PruneMode.EXECUTE);
            assertThat(report.removed()).isEmpty();
            assertThat(report.skipped()).last().isEqualTo("full: diff (kept) depends on it");
        }
        assertThat(catalog.list()).hasSize(3);
    }

    /** A minimal repository for these tests. */
    static final class MemoryRepository implements Repository {
        final ConcurrentSkipListMap<String, byte[]> objects = new ConcurrentSkipListMap<>();
        private final Map<String, Instant> written = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public String id() {
            return "memory:prune-test";
        }

        @Override
        public ObjectInfo put(String key, ObjectWriter writer) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            try {
                writer.writeTo(buf);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            written.put(key, Instant.now());
            objects.put(key, buf.toByteArray());
            return info(key, buf.toByteArray());
        }

        @Override
        public InputStream open(String key) {
            byte[] b = objects.get(key);
            if (b == null) {
                throw new NotFoundException("no object " + key);
            }
            return new ByteArrayInputStream(b);
        }

        @Override
        public Optional<ObjectInfo> stat(String key) {
            return Optional.ofNullable(objects.get(key)).map(b -> info(key, b));
        }

        @Override
        public List<ObjectInfo> list(String prefix) {
            return objects.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .map(e -> info(e.getKey(), e.getValue())).toList();
        }

        @Override
        public void delete(String key) {
            objects.remove(key);
        }

        private ObjectInfo info(String key, byte[] b) {
            return new ObjectInfo(key, b.length, written.get(key), Optional.empty());
        }
    }

    /**
     * What is left is {@code keys} and the record each sweep of a set's objects leaves (so that a writer committing
     * that set at the same moment takes its manifest back); the next sweep removes those records as debris.
     */
    private void assertSweptClean(String... keys) {
        assertThat(repo.objects.keySet()).filteredOn(k -> !k.matches("records/[^/]+/sweeping-[^/]+\\.json"))
                .containsExactly(keys);
        assertThat(repo.objects.keySet()).anyMatch(k -> k.matches("records/[^/]+/sweeping-[^/]+\\.json"));
        catalog.removeDebris(Duration.ZERO);
        assertThat(repo.objects.keySet()).containsExactly(keys);
    }
}
