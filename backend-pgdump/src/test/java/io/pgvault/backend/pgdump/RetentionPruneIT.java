package io.pgvault.backend.pgdump;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.Catalog;
import io.pgvault.api.Encryption;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.retention.Pin;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.PruneReport;
import io.pgvault.api.retention.Pruner;
import io.pgvault.api.retention.RetentionPlan;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.testkit.MutableClock;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.pgvault.backend.pgdump.PgDumpTesting.repository;
import static io.pgvault.backend.pgdump.PgDumpTesting.visibleKeys;
import static org.assertj.core.api.Assertions.assertThat;

/** Real pg_dump sets with controlled timestamps, pruned; survivors restore, removed sets are gone everywhere. */
class RetentionPruneIT {
    private static final String SOURCE = "shop";

    @RegisterExtension
    static PostgresFixture pg = PostgresFixture.create();

    @Test
    @DisplayName("a week of daily dumps pruned to daily 3 + a pin: survivors restore with their own rows, the rest "
            + "is gone from listing and storage, and an interrupted prune is finished as debris")
    void pruneEndToEnd(@TempDir Path dir) {
        pg.cluster().createDatabase(SOURCE);
        pg.cluster().psql(SOURCE, "CREATE TABLE orders (n int)");
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T02:00:00Z"));
        PgVault vault = PgVault.builder().acceptUnauthenticated(true)
                .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(pg.connection(SOURCE)).build()))
                .repository(repository(dir)).pipeline(PipelineOptions.defaults().withEncryption(Encryption.none()))
                .clock(clock).build();

        Map<BackupId, Integer> rowsAt = new HashMap<>();
        List<BackupSet> sets = new ArrayList<>();
        for (int day = 0; day < 7; day++) {
            pg.cluster().psql(SOURCE, "INSERT INTO orders VALUES (" + day + ")");
            BackupSet set = vault.backup();
            sets.add(set);
            rowsAt.put(set.id(), day + 1);
            clock.advance(Duration.ofDays(1));
        }
        assertThat(sets).extracting(BackupSet::startedAt).startsWith(Instant.parse("2026-03-01T02:00:00Z"));
        vault.catalog().update(Pin.forever().applyTo(sets.get(1)));

        RetentionPolicy policy = RetentionPolicy.calendar().daily(3).zone(ZoneId.of("Europe/Berlin")).build();
        PruneReport dry = vault.prune(policy, PruneMode.DRY_RUN);
        assertThat(dry.removed()).extracting(BackupSet::id)
                .containsExactly(sets.get(3).id(), sets.get(2).id(), sets.get(0).id());
        assertThat(vault.list()).hasSize(7);

        PruneReport done = vault.prune(policy, PruneMode.EXECUTE);
        assertThat(done.removed()).extracting(BackupSet::id).containsExactlyElementsOf(
                dry.removed().stream().map(BackupSet::id).toList());
        List<BackupId> survivors = List.of(sets.get(1).id(), sets.get(4).id(), sets.get(5).id(), sets.get(6).id());
        assertThat(vault.list()).extracting(BackupSet::id).containsExactlyElementsOf(survivors);
        for (BackupSet removed : done.removed()) {
            assertThat(visibleKeys(vault.repository())).noneMatch(k -> k.contains(removed.id().value()));
        }
        for (BackupId id : survivors) {
            String target = "restored_" + id.value().substring(0, 8) + "_" + rowsAt.get(id);
            vault.restore(RestoreRequest.builder().backupId(id).targetDatabase(target).build());
            assertThat(pg.cluster().queryValue(target, "SELECT count(*) FROM orders"))
                    .isEqualTo(Integer.toString(rowsAt.get(id)));
            pg.cluster().dropDatabase(target);
        }

        // a prune interrupted after removing a manifest leaves objects without it: never listed, and the next
        // prune removes them as debris
        BackupSet interrupted = sets.get(4);
        vault.repository().delete(Catalog.manifestKey(interrupted.id()));
        assertThat(vault.list()).extracting(BackupSet::id).doesNotContain(interrupted.id());
        assertThat(visibleKeys(vault.repository())).anyMatch(k -> k.startsWith(Catalog.dataPrefix(interrupted.id())));
        RetentionPlan plan = vault.planRetention(policy);
        PruneReport next = Pruner.of(vault.catalog()).withDebrisGrace(Duration.ZERO).prune(plan, PruneMode.EXECUTE);
        assertThat(next.debris()).isNotEmpty().allMatch(k -> k.startsWith(Catalog.dataPrefix(interrupted.id())));
        assertThat(visibleKeys(vault.repository())).filteredOn(k -> k.contains(interrupted.id().value()))
                .as("the sweep's own record, for a writer committing at that moment").singleElement().asString()
                .startsWith("records/" + interrupted.id().value() + "/sweeping-");
        vault.catalog().removeDebris(Duration.ZERO); // the next sweep takes that record too
        assertThat(visibleKeys(vault.repository())).noneMatch(k -> k.contains(interrupted.id().value()));
        assertThat(vault.list()).extracting(BackupSet::id)
                .containsExactly(sets.get(1).id(), sets.get(5).id(), sets.get(6).id());
        pg.cluster().dropDatabase(SOURCE);
    }
}
