package io.pgvault.api;

import io.pgvault.api.event.EventDispatcher;
import io.pgvault.api.event.Events;
import io.pgvault.api.event.VaultEvent;
import io.pgvault.api.retention.KeepLast;
import io.pgvault.api.retention.PruneMode;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgVaultEventsTest {
    private final InMemoryRepository repo = new InMemoryRepository();
    private final PgVaultTest.FakeStrategy strategy = new PgVaultTest.FakeStrategy();
    private final List<VaultEvent> events = new ArrayList<>();

    private PgVault vault() {
        return PgVault.builder().strategy(strategy).repository(repo).listener(events::add).pipeline(TestKeys.SIGNED)
                .build();
    }

    @Test
    @DisplayName("a backup emits started then completed, carrying the committed set")
    void backupEvents() {
        BackupSet set = vault().backup();
        assertThat(events).hasSize(2);
        assertThat(events.get(0)).isInstanceOfSatisfying(Events.BackupStarted.class, e -> {
            assertThat(e.id()).isEqualTo(set.id());
            assertThat(e.strategy()).isEqualTo("fake");
            assertThat(e.location()).isEqualTo(repo.id());
        });
        assertThat(events.get(1)).isInstanceOfSatisfying(Events.BackupCompleted.class,
                e -> assertThat(e.set()).isEqualTo(set));
    }

    @Test
    @DisplayName("a failed backup emits failed with the cause, and no completed")
    void failedBackup() {
        strategy.failAfterFirst = true;
        assertThatThrownBy(() -> vault().backup()).hasMessageContaining("dump died");
        assertThat(events).last().isInstanceOfSatisfying(Events.BackupFailed.class, e -> {
            assertThat(e.error()).hasMessageContaining("dump died");
            assertThat(e.code()).isEmpty();
        });
        assertThat(events).noneMatch(e -> e instanceof Events.BackupCompleted);
    }

    @Test
    @DisplayName("verify, restore and prune each emit their outcome")
    void otherOperations() {
        PgVault vault = vault();
        BackupSet first = vault.backup();
        vault.backup();
        events.clear();
        vault.verify(first.id(), false);
        vault.restore(RestoreRequest.builder().backupId(first.id()).build());
        vault.prune(new KeepLast(1), PruneMode.EXECUTE);
        assertThat(events).hasSize(3);
        assertThat(events.get(0)).isInstanceOfSatisfying(Events.Verified.class,
                e -> assertThat(e.result().ok()).isTrue());
        assertThat(events.get(1)).isInstanceOf(Events.RestoreCompleted.class);
        assertThat(events.get(2)).isInstanceOfSatisfying(Events.Pruned.class,
                e -> assertThat(e.report().removed()).extracting(BackupSet::id).containsExactly(first.id()));
    }

    @Test
    @DisplayName("a listener that throws does not fail the backup, and later listeners still hear")
    void throwingListener() {
        List<VaultEvent> second = new ArrayList<>();
        PgVault vault = PgVault.builder().strategy(strategy).repository(repo)
                .listener(e -> {
                    throw new IllegalStateException("listener bug");
                })
                .listener(second::add).build();
        BackupSet set = vault.backup();
        assertThat(vault.list()).containsExactly(set);
        assertThat(second).hasSize(2);
    }

    @Test
    @DisplayName("progress is reported with a growing byte count when writing takes longer than a second")
    void progress() {
        List<Events.Progress> progress = new ArrayList<>();
        EventDispatcher dispatcher = EventDispatcher.of(List.of(e -> {
            if (e instanceof Events.Progress p) {
                progress.add(p);
            }
        }));
        io.pgvault.internal.ProgressTracker tracker = new io.pgvault.internal.ProgressTracker(dispatcher,
                java.time.Clock.systemUTC(), "mem", BackupId.generate(java.time.Instant.now()),
                io.pgvault.api.event.Phase.BACKUP);
        long deadline = System.nanoTime() + 2_300_000_000L;
        while (System.nanoTime() < deadline) {
            tracker.add(1000);
            Thread.onSpinWait();
        }
        assertThat(progress).hasSizeBetween(2, 3);
        assertThat(progress.get(1).bytes()).isGreaterThan(progress.get(0).bytes());
        assertThat(progress.get(0).bytesPerSecond()).isPositive();
    }
}
