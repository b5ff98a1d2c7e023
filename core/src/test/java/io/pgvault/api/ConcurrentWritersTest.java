package io.pgvault.api;

import io.pgvault.api.event.Events;
import io.pgvault.api.event.VaultEvent;
import io.pgvault.api.retention.Pin;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.PruneReport;
import io.pgvault.api.retention.Pruner;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.api.tier.SyncReport;
import io.pgvault.api.tier.Tier;
import io.pgvault.api.tier.TierFilter;
import io.pgvault.api.tier.TierHealth;
import io.pgvault.spi.BackupContext;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.BackupStrategy;
import io.pgvault.spi.ReadContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The scenarios of issue 11: several processes (simulated by several vaults over one shared store, each with its own
 * clock) backing up, pruning, verifying, pinning and copying at once. Each test is one way the catalog used to break.
 */
class ConcurrentWritersTest {
    private static final Instant T0 = Instant.parse("2026-01-10T12:00:00Z");
    private static final Leases FAST = new Leases(Duration.ofMillis(50), Duration.ofMinutes(30));
    /** No refresh runs during a test: races with a refresh are staged by the test itself, not left to timing. */
    private static final Leases STILL = new Leases(Duration.ofMinutes(5), Duration.ofMinutes(30));

    private final SharedRepository repo = new SharedRepository("primary");

    /** A clock that stands still until the test moves it (one per simulated process). */
    static final class Hand extends Clock {
        volatile Instant now;

        Hand(Instant now) {
            this.now = now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** Writes globals, then one object per database; between objects it runs what the test says. */
    static class Cluster implements BackupStrategy {
        volatile Consumer<String> between = n -> { };
        /** Runs while a restore or a deep verification reads a set (another process acting meanwhile). */
        volatile Consumer<BackupSet> reading = s -> { };

        @Override
        public String name() {
            return "cluster";
        }

        @Override
        public io.pgvault.spi.SetFacts backup(BackupContext ctx) {
            List<StoredObject> objects = new ArrayList<>();
            for (String name : List.of("globals.sql", "db1.sql", "db2.sql")) {
                objects.add(ctx.writeObject(name, Map.of(), out -> out.write(("-- " + name + " of " + ctx.id()
                        + "\n").repeat(50).getBytes(StandardCharsets.UTF_8))));
                between.accept(name);
            }
            return new io.pgvault.spi.SetFacts(BackupType.LOGICAL, BackupStatus.COMPLETE, "*", Optional.empty(), Map.of());
        }

        @Override
        public RestoreResult restore(BackupSet set, RestoreRequest request, ReadContext ctx) {
            reading.accept(set);
            for (StoredObject o : set.objects()) {
                try (java.io.InputStream in = ctx.openObject(o)) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return new RestoreResult(set, List.of("*"), Duration.ZERO);
        }

        @Override
        public List<String> verifyStructure(BackupSet set, ReadContext ctx) {
            reading.accept(set);
            return List.of();
        }
    }

    private final Cluster strategy = new Cluster();

    private PgVault vault(Clock clock, Tier... tiers) {
        PgVault.Builder b = PgVault.builder().strategy(strategy).repository(repo).clock(clock).leases(FAST)
                .pipeline(TestKeys.SIGNED);
        for (Tier t : tiers) {
            b.tier(t);
        }
        return b.build();
    }

    private BackupSet backupAt(PgVault vault, Hand clock, Instant at) {
        clock.now = at;
        repo.storeNow = at;
        return vault.backup();
    }

    private static void assertIntact(PgVault vault, BackupSet set) {
        VerifyResult result = vault.verify(set.id(), false);
        assertThat(result.problems()).as("problems of " + set.id()).isEmpty();
    }

    @Nested
    @DisplayName("1. the debris sweep")
    class DebrisSweep {
        @Test
        @DisplayName("a backup running longer than the debris grace keeps its objects: its refreshed claim protects them")
        void longBackupSurvivesPrune() {
            Hand clock = new Hand(T0);
            PgVault writer = vault(clock);
            PgVault pruner = vault(new Hand(T0));
            List<PruneReport> prunes = new ArrayList<>();
            strategy.between = name -> {
                if (name.equals("globals.sql")) {
                    repo.advance(Duration.ofHours(3)); // pg_dump of db1 takes three hours
                    await().atMost(5, TimeUnit.SECONDS).until(() -> repo.objects.keySet().stream()
                            .filter(k -> k.startsWith(RepositoryLayout.INTENTS)).map(k -> repo.stat(k).orElseThrow())
                            .anyMatch(i -> i.lastModified().equals(repo.storeNow)));
                    prunes.add(Pruner.of(pruner.catalog()).prune(
                            pruner.planRetention(RetentionPolicy.keepLast(1)), PruneMode.EXECUTE));
                }
            };
            BackupSet set = writer.backup();
            assertThat(prunes.get(0).debris()).isEmpty();
            assertThat(writer.list()).containsExactly(set);
            assertIntact(writer, set);
        }

        @Test
        @DisplayName("a set that commits between the sweep's listings is not taken for debris")
        void commitBetweenListings() {
            Hand clock = new Hand(T0);
            PgVault writer = vault(clock);
            CountDownLatch written = new CountDownLatch(1);
            CountDownLatch commit = new CountDownLatch(1);
            strategy.between = name -> {
                if (name.equals("db2.sql")) {
                    written.countDown();
                    await().atMost(5, TimeUnit.SECONDS).until(() -> commit.getCount() == 0);
                }
            };
            CompletableFuture<BackupSet> backup = CompletableFuture.supplyAsync(writer::backup);
            await().atMost(5, TimeUnit.SECONDS).until(() -> written.getCount() == 0);
            repo.advance(Duration.ofHours(2)); // the objects are old by the store's clock; the claim is refreshed
            await().atMost(5, TimeUnit.SECONDS).until(() -> repo.objects.keySet().stream()
                    .filter(k -> k.startsWith(RepositoryLayout.INTENTS))
                    .anyMatch(k -> repo.stat(k).orElseThrow().lastModified().equals(repo.storeNow)));
            repo.beforeList = prefix -> { // the writer commits and releases its claim while the sweep lists data/
                if (prefix.equals(RepositoryLayout.DATA)) {
                    repo.beforeList = p -> { };
                    commit.countDown();
                    backup.join();
                }
            };
            List<String> debris = new Catalog(repo, FAST).removeDebris(Duration.ofHours(1));
            BackupSet set = backup.join();
            assertThat(debris).noneMatch(k -> k.startsWith(Catalog.dataPrefix(set.id())));
            assertIntact(writer, set);
        }

        @Test
        @DisplayName("a pruner whose clock runs hours ahead judges object age by the store's clock")
        void prunerClockAhead() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            String orphan = "data/20260110T115000Z-abcdef/left.sql";
            repo.plant(orphan, "a crashed backup's object, 10 minutes old by the store's clock");
            repo.advance(Duration.ofMinutes(10));
            Hand ahead = new Hand(T0.plus(Duration.ofHours(5)));
            PruneReport report = Pruner.of(vault.catalog()).withClock(ahead)
                    .prune(vault.planRetention(RetentionPolicy.keepLast(1)), PruneMode.EXECUTE);
            assertThat(report.debris()).isEmpty();
            assertThat(repo.objects).containsKey(orphan);
            repo.advance(Duration.ofHours(2));
            assertThat(vault.catalog().removeDebris(Duration.ofHours(1))).containsExactly(orphan);
        }

        @Test
        @DisplayName("the claim of a killed writer expires by the store's clock, and its objects become debris")
        void killedWriterDebris() {
            repo.plant(RepositoryLayout.intentKey(BackupId.of("20260110T115000Z-abcdef")), "{\"token\":\"dead\"}");
            repo.plant("data/20260110T115000Z-abcdef/globals.sql", "half a backup");
            repo.advance(Duration.ofMinutes(20));
            Catalog catalog = new Catalog(repo, FAST);
            assertThat(catalog.debris(Duration.ofMinutes(5))).isEmpty(); // claim is 20 min old, expires after 30
            repo.advance(Duration.ofMinutes(11));
            assertThat(catalog.removeDebris(Duration.ofMinutes(5))).containsExactlyInAnyOrder(
                    "data/20260110T115000Z-abcdef/globals.sql", "intents/20260110T115000Z-abcdef.json");
        }

        @Test
        @DisplayName("a sweep that removes a claim it judged expired while that writer commits: the writer sees its "
                + "claim gone and takes the manifest back, so no set is listed without its objects")
        void sweepDuringCommit() {
            Hand clock = new Hand(T0);
            PgVault writer = PgVault.builder().strategy(strategy).repository(repo).clock(clock).leases(STILL)
                    .pipeline(TestKeys.SIGNED).build();
            repo.beforeCommit = key -> {
                if (key.startsWith(RepositoryLayout.MANIFESTS)) { // the manifest is about to become visible
                    repo.beforeCommit = k -> { };
                    repo.advance(Duration.ofHours(1)); // the writer stalled: its claim looks expired now
                    new Catalog(repo, STILL).removeDebris(Duration.ofMinutes(1));
                }
            };
            assertThatThrownBy(writer::backup).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("lost its writer's claim");
            assertThat(writer.list()).isEmpty();
            assertThat(repo.objects.keySet()).noneMatch(k -> k.startsWith(RepositoryLayout.MANIFESTS));
        }

        @Test
        @DisplayName("a sweep that takes over a claim while the writer's refresh, already under way, writes it back: "
                + "the writer still finds the sweep's record after committing and takes the manifest back")
        void sweepDuringCommitWithRacingRefresh() {
            Hand clock = new Hand(T0);
            PgVault writer = PgVault.builder().strategy(strategy).repository(repo).clock(clock).leases(STILL)
                    .pipeline(TestKeys.SIGNED).build();
            repo.beforeCommit = key -> {
                if (key.startsWith(RepositoryLayout.MANIFESTS)) {
                    repo.beforeCommit = k -> { };
                    BackupId id = BackupId.of(key.substring(RepositoryLayout.MANIFESTS.length(),
                            key.length() - ".json".length()));
                    byte[] claim = repo.objects.get(RepositoryLayout.intentKey(id));
                    repo.advance(Duration.ofHours(1));
                    new Catalog(repo, STILL).removeDebris(Duration.ofMinutes(1));
                    repo.plant(RepositoryLayout.intentKey(id), new String(claim, StandardCharsets.UTF_8));
                }
            };
            assertThatThrownBy(writer::backup).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("lost its writer's claim");
            assertThat(writer.list()).isEmpty();
            assertThat(repo.objects.keySet()).noneMatch(k -> k.startsWith(RepositoryLayout.MANIFESTS));
        }

        @Test
        @DisplayName("a sweep's record from an earlier attempt at a set (a tier copy swept, then tried again under the "
                + "same id) does not take back the next attempt's commit")
        void staleSweepRecordIgnored() {
            SharedRepository tierRepo = new SharedRepository("tier");
            Hand clock = new Hand(T0);
            BackupSet set = backupAt(vault(clock), clock, T0);
            tierRepo.plant("records/" + set.id().value() + "/sweeping-00000000-0000-0000-0000-000000000000.json",
                    "{\"formatVersion\":1,\"set\":\"" + set.id().value() + "\",\"kind\":\"sweeping\"}");
            tierRepo.advance(Duration.ofHours(2));

            vault(clock, Tier.builder("t", tierRepo).build()).sync();

            assertThat(new Catalog(tierRepo, FAST, TestKeys.SIGNED).list()).extracting(BackupSet::id)
                    .containsExactly(set.id());
        }

        @Test
        @DisplayName("a sweep of what a committed set's manifest does not name leaves no record behind")
        void committedSetSweptLeavesNoRecord() {
            Hand clock = new Hand(T0);
            BackupSet set = backupAt(vault(clock), clock, T0);
            repo.plant("data/" + set.id().value() + "/w-0123abcd/stray.sql", "a losing copier's object");
            repo.advance(Duration.ofHours(2));

            assertThat(new Catalog(repo, FAST).removeDebris(Duration.ofMinutes(1)))
                    .containsExactly("data/" + set.id().value() + "/w-0123abcd/stray.sql");
            assertThat(repo.objects.keySet()).noneMatch(k -> k.contains("/sweeping-"));
            assertThat(vault(clock).list()).extracting(BackupSet::id).containsExactly(set.id());
        }

        @Test
        @DisplayName("a writer that could not refresh its claim for half its expiry gives the set up instead of committing")
        void staleWriterDoesNotCommit() {
            Leases slow = new Leases(Duration.ofHours(1), Duration.ofHours(3));
            Hand clock = new Hand(T0);
            PgVault writer = PgVault.builder().strategy(strategy).repository(repo).clock(clock)
                    .leases(new Leases(Duration.ofMillis(100), Duration.ofMillis(300))).build();
            strategy.between = name -> {
                if (name.equals("db1.sql")) {
                    repo.down = true; // the refreshes fail for longer than the commit window
                    try {
                        Thread.sleep(400);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    repo.down = false;
                }
            };
            assertThatThrownBy(writer::backup).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("commit window");
            assertThat(new Catalog(repo, slow).list()).isEmpty();
        }
    }

    @Nested
    @DisplayName("2. facts recorded after commit")
    class StaleSnapshots {
        @Test
        @DisplayName("a verify that read the set before a pin does not undo the pin")
        void verifyKeepsConcurrentPin() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet old = backupAt(vault, clock, T0);
            BackupSet snapshot = vault.find(old.id()).orElseThrow(); // a deep verify starts, hours long
            vault.catalog().pin(old.id(), Pin.forever());
            vault.catalog().update(snapshot.withLastVerified(T0.plusSeconds(60))); // its write-back
            backupAt(vault, clock, T0.plus(Duration.ofDays(1)));
            backupAt(vault, clock, T0.plus(Duration.ofDays(2)));
            vault.prune(RetentionPolicy.keepLast(1), PruneMode.EXECUTE);
            BackupSet kept = vault.find(old.id()).orElseThrow();
            assertThat(kept.attribute(Pin.ATTRIBUTE)).contains("forever");
            assertThat(kept.lastVerified()).contains(T0.plusSeconds(60));
        }

        @Test
        @DisplayName("a verify that finishes after the set was deleted (by hand: a prune stands back from a set being "
                + "read) does not bring its manifest back, nor leave its claim")
        void verifyAfterPrune() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet old = backupAt(vault, clock, T0);
            backupAt(vault, clock, T0.plus(Duration.ofDays(1)));
            PgVault verifier = PgVault.builder().strategy(new Cluster() {
                @Override
                public List<String> verifyStructure(BackupSet set, ReadContext ctx) {
                    vault.catalog().delete(set.id()); // meanwhile, in another process
                    return List.of();
                }
            }).repository(repo).clock(clock).leases(FAST).build();
            verifier.verify(old.id(), true);
            assertThat(vault.find(old.id())).isEmpty();
            assertThat(repo.objects.keySet()).noneMatch(k -> k.contains(old.id().value()));
        }

        @Test
        @DisplayName("an unpin revokes the pins it saw, not one written at the same time by another process")
        void unpinKeepsConcurrentPin() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet set = backupAt(vault, clock, T0);
            vault.catalog().pin(set.id(), Pin.until(T0.plus(Duration.ofDays(3))));
            vault.catalog().unpin(set.id());
            assertThat(vault.find(set.id()).orElseThrow().attribute(Pin.ATTRIBUTE)).isEmpty();
            vault.catalog().pin(set.id(), Pin.forever());
            assertThat(vault.find(set.id()).orElseThrow().attribute(Pin.ATTRIBUTE)).contains("forever");
        }

        @Test
        @DisplayName("a pin landing while a prune announces the deletion: the prune sees it and stands back")
        void pinDuringPruneWins() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet old = backupAt(vault, clock, T0);
            backupAt(vault, clock, T0.plus(Duration.ofDays(1)));
            var plan = vault.planRetention(RetentionPolicy.keepLast(1));
            repo.beforeCommit = key -> {
                if (key.contains("/deleting-")) {
                    repo.beforeCommit = k -> { };
                    new Catalog(repo, FAST).pin(old.id(), Pin.forever()); // succeeds: no announcement visible yet
                }
            };
            PruneReport report = Pruner.of(vault.catalog()).prune(plan, PruneMode.EXECUTE);
            assertThat(report.removed()).isEmpty();
            assertThat(report.skipped()).anyMatch(r -> r.startsWith(old.id() + ": pinned"));
            assertThat(vault.find(old.id()).orElseThrow().attribute(Pin.ATTRIBUTE)).contains("forever");
            assertThat(repo.objects.keySet()).noneMatch(k -> k.contains("/deleting-"));
        }

        @Test
        @DisplayName("a pin landing after the prune read the set's records: the set goes, and the pin call says so")
        void pinAfterPrunesReadFails() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet old = backupAt(vault, clock, T0);
            backupAt(vault, clock, T0.plus(Duration.ofDays(1)));
            var plan = vault.planRetention(RetentionPolicy.keepLast(1));
            List<Throwable> pinOutcome = new ArrayList<>();
            repo.beforeList = prefix -> {
                if (prefix.equals(RepositoryLayout.recordsPrefix(old.id()))
                        && repo.objects.keySet().stream().anyMatch(k -> k.contains("/deleting-"))) {
                    repo.beforeList = p -> { };
                    try {
                        new Catalog(repo, FAST).pin(old.id(), Pin.forever());
                    } catch (ConflictException e) {
                        pinOutcome.add(e);
                    }
                }
            };
            PruneReport report = Pruner.of(vault.catalog()).prune(plan, PruneMode.EXECUTE);
            assertThat(report.removed()).extracting(BackupSet::id).containsExactly(old.id());
            assertThat(pinOutcome).singleElement().asString().contains("being deleted by a prune");
        }

        @Test
        @DisplayName("a pin written after the prune's last look: the pin call fails loudly instead of reporting success")
        void pinAfterPrunesLookFails() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet old = backupAt(vault, clock, T0);
            backupAt(vault, clock, T0.plus(Duration.ofDays(1)));
            repo.beforeCommit = key -> {
                if (key.startsWith(RepositoryLayout.recordsPrefix(old.id()) + "pin-")) {
                    repo.beforeCommit = k -> { };
                    vault.prune(RetentionPolicy.keepLast(1), PruneMode.EXECUTE);
                }
            };
            assertThatThrownBy(() -> vault.catalog().pin(old.id(), Pin.forever()))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("being deleted by a prune");
            assertThat(vault.find(old.id())).isEmpty();
        }

        @Test
        @DisplayName("a prune that stalls after announcing a deletion for longer than a pin would honour the "
                + "announcement stands back instead of deleting")
        void stalledPruneStandsBack() {
            Hand clock = new Hand(T0);
            Leases tight = new Leases(Duration.ofMillis(20), Duration.ofMillis(200));
            PgVault vault = PgVault.builder().strategy(strategy).repository(repo).clock(clock).leases(tight).build();
            BackupSet old = backupAt(vault, clock, T0);
            backupAt(vault, clock, T0.plus(Duration.ofDays(1)));
            repo.beforeList = prefix -> {
                if (prefix.equals(RepositoryLayout.recordsPrefix(old.id()))) {
                    repo.beforeList = p -> { };
                    try {
                        Thread.sleep(150); // a GC pause, a slow store: past half the expiry
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            PruneReport report = vault.prune(RetentionPolicy.keepLast(1), PruneMode.EXECUTE);
            assertThat(report.removed()).isEmpty();
            assertThat(vault.find(old.id())).isPresent();
            assertThat(repo.objects.keySet()).noneMatch(k -> k.contains("/deleting-"));
            assertThat(vault.prune(RetentionPolicy.keepLast(1), PruneMode.EXECUTE).removed())
                    .extracting(BackupSet::id).containsExactly(old.id()); // the next prune, unhurried, does it
        }

        @Test
        @DisplayName("a set pinned after the plan was made is not deleted by that plan")
        void pinAfterPlan() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet old = backupAt(vault, clock, T0);
            backupAt(vault, clock, T0.plus(Duration.ofDays(1)));
            var plan = vault.planRetention(RetentionPolicy.keepLast(1));
            vault.catalog().pin(old.id(), Pin.forever());
            PruneReport report = Pruner.of(vault.catalog()).prune(plan, PruneMode.EXECUTE);
            assertThat(report.removed()).isEmpty();
            assertThat(vault.find(old.id())).isPresent();
        }
    }

    @Nested
    @DisplayName("2b. readers and prunes")
    class Readers {
        private List<String> readingRecords(BackupSet set) {
            return repo.objects.keySet().stream()
                    .filter(k -> k.startsWith(RepositoryLayout.recordsPrefix(set.id()) + "reading-")).toList();
        }

        @Test
        @DisplayName("a prune in another process while a restore reads the set stands back, says why, and a prune "
                + "after the restore removes it")
        void pruneDuringRestoreStandsBack() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet old = backupAt(vault, clock, T0);
            backupAt(vault, clock, T0.plus(Duration.ofDays(1)));
            PgVault other = vault(clock);
            List<PruneReport> during = new ArrayList<>();
            strategy.reading = s -> {
                assertThat(readingRecords(old)).as("the restore's claim").hasSize(1);
                during.add(other.prune(RetentionPolicy.keepLast(1), PruneMode.EXECUTE));
            };
            RestoreResult result = vault.restore(RestoreRequest.builder().backupId(old.id()).build());

            assertThat(result.set().id()).isEqualTo(old.id());
            assertThat(during).singleElement().satisfies(r -> {
                assertThat(r.removed()).isEmpty();
                assertThat(r.skipped()).singleElement().asString()
                        .startsWith(old.id() + ": being read (reading-").endsWith(", restore)");
            });
            assertThat(readingRecords(old)).as("the claim is removed when the restore ends").isEmpty();
            assertThat(repo.objects.keySet()).noneMatch(k -> k.contains("/deleting-"));
            strategy.reading = s -> { };
            assertThat(other.prune(RetentionPolicy.keepLast(1), PruneMode.EXECUTE).removed())
                    .extracting(BackupSet::id).containsExactly(old.id());
        }

        @Test
        @DisplayName("a deep verification while another process prunes: the set is kept and nothing is reported "
                + "missing")
        void pruneDuringVerifyStandsBack() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet old = backupAt(vault, clock, T0);
            backupAt(vault, clock, T0.plus(Duration.ofDays(1)));
            PgVault other = vault(clock);
            strategy.reading = s -> other.prune(RetentionPolicy.keepLast(1), PruneMode.EXECUTE);
            VerifyResult result = vault.verify(old.id(), true);
            assertThat(result.problems()).isEmpty();
            assertThat(vault.find(old.id())).isPresent();
            assertThat(readingRecords(old)).isEmpty();
        }

        @Test
        @DisplayName("a restore starting just after a prune announced the deletion: the prune sees the reader and "
                + "stands back, the reader waits for that decision and then reads")
        void restoreDuringPrunesAnnouncement() throws Exception {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet old = backupAt(vault, clock, T0);
            backupAt(vault, clock, T0.plus(Duration.ofDays(1)));
            var plan = vault.planRetention(RetentionPolicy.keepLast(1));
            CompletableFuture<RestoreResult> restore = new CompletableFuture<>();
            List<String> sawAnnouncement = new CopyOnWriteArrayList<>();
            repo.beforeList = prefix -> {
                if (prefix.equals(RepositoryLayout.recordsPrefix(old.id()))
                        && repo.objects.keySet().stream().anyMatch(k -> k.contains("/deleting-"))) {
                    repo.beforeList = p -> {
                        if (p.equals(RepositoryLayout.recordsPrefix(old.id()))
                                && repo.objects.keySet().stream().anyMatch(k -> k.contains("/deleting-"))) {
                            sawAnnouncement.add(p); // the reader's listing, while the announcement stands
                        }
                    };
                    // the prune announced and is about to look: another process starts a restore now
                    Thread reader = new Thread(() -> {
                        try {
                            restore.complete(vault(clock).restore(RestoreRequest.builder().backupId(old.id())
                                    .build()));
                        } catch (Throwable t) {
                            restore.completeExceptionally(t);
                        }
                    });
                    reader.start();
                    await().atMost(Duration.ofSeconds(10)).until(() -> !sawAnnouncement.isEmpty());
                }
            };
            PruneReport report = Pruner.of(vault.catalog()).prune(plan, PruneMode.EXECUTE);

            assertThat(report.removed()).isEmpty();
            assertThat(report.skipped()).singleElement().asString().startsWith(old.id() + ": being read");
            assertThat(restore.get(10, TimeUnit.SECONDS).set().id()).isEqualTo(old.id());
            assertThat(sawAnnouncement).as("the reader saw the announcement and waited").isNotEmpty();
            assertThat(readingRecords(old)).isEmpty();
        }

        @Test
        @DisplayName("a restore whose set a prune deletes before its claim lands fails NotFoundException and leaves "
                + "no record behind")
        void setDeletedBeforeClaimLands() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet old = backupAt(vault, clock, T0);
            backupAt(vault, clock, T0.plus(Duration.ofDays(1)));
            repo.beforeCommit = key -> {
                if (key.startsWith(RepositoryLayout.recordsPrefix(old.id()) + "reading-")) {
                    repo.beforeCommit = k -> { };
                    vault(clock).prune(RetentionPolicy.keepLast(1), PruneMode.EXECUTE);
                }
            };
            List<VaultEvent> events = new CopyOnWriteArrayList<>();
            PgVault reader = PgVault.builder().strategy(strategy).repository(repo).clock(clock).leases(FAST)
                    .pipeline(TestKeys.SIGNED).listener(events::add).build();
            assertThatThrownBy(() -> reader.restore(RestoreRequest.builder().backupId(old.id()).build()))
                    .isInstanceOf(NotFoundException.class).hasMessageContaining("a prune deleted it");
            assertThat(events).anyMatch(e -> e instanceof Events.RestoreFailed);
            assertThat(repo.objects.keySet()).noneMatch(k -> k.startsWith(RepositoryLayout.recordsPrefix(old.id())));
        }

        @Test
        @DisplayName("a reader's claim is refreshed: it keeps the set long past the lease expiry while the read goes on")
        void refreshedClaimOutlivesExpiry() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet old = backupAt(vault, clock, T0);
            backupAt(vault, clock, T0.plus(Duration.ofDays(1)));
            List<PruneReport> during = new ArrayList<>();
            strategy.reading = s -> {
                String record = readingRecords(old).get(0);
                Instant written = repo.stat(record).orElseThrow().lastModified();
                repo.advance(FAST.expireAfter().multipliedBy(3)); // an hour-long read, by the store's clock
                clock.now = repo.storeNow;
                await().atMost(Duration.ofSeconds(10)).until(() -> repo.stat(record).orElseThrow().lastModified()
                        .isAfter(written)); // the refresher rewrote it
                during.add(vault(clock).prune(RetentionPolicy.keepLast(1), PruneMode.EXECUTE));
            };
            vault.restore(RestoreRequest.builder().backupId(old.id()).build());
            assertThat(during).singleElement().satisfies(r -> assertThat(r.removed()).isEmpty());
            assertThat(vault.find(old.id())).isPresent();
        }

        @Test
        @DisplayName("the claim of a killed reader keeps the set until it expires by the store's clock; then the set "
                + "goes by its policy, and an expired claim on a set that stays is debris")
        void killedReadersClaimExpires() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet old = backupAt(vault, clock, T0);
            BackupSet mid = backupAt(vault, clock, T0.plus(Duration.ofDays(1)));
            backupAt(vault, clock, T0.plus(Duration.ofDays(2)));
            String dead = "{\"formatVersion\":1,\"set\":\"%s\",\"kind\":\"reading\",\"operation\":\"restore\"}";
            repo.plant(RepositoryLayout.recordsPrefix(old.id()) + "reading-killed.json", dead.formatted(old.id()));
            repo.plant(RepositoryLayout.recordsPrefix(mid.id()) + "reading-killed.json", dead.formatted(mid.id()));

            repo.advance(FAST.expireAfter().minusMinutes(1));
            clock.now = repo.storeNow;
            PruneReport young = vault.prune(RetentionPolicy.keepLast(1), PruneMode.EXECUTE);
            assertThat(young.removed()).isEmpty();
            assertThat(young.skipped()).hasSize(2).allMatch(r -> r.contains("being read (reading-killed.json, "
                    + "restore)"));

            repo.advance(Duration.ofMinutes(2));
            clock.now = repo.storeNow;
            PruneReport expired = vault.prune(RetentionPolicy.keepLast(2), PruneMode.EXECUTE);
            assertThat(expired.removed()).extracting(BackupSet::id).containsExactly(old.id());
            assertThat(vault.find(mid.id())).isPresent();
            assertThat(repo.objects.keySet()).as("the dead reader's claim on the set that stays is swept")
                    .noneMatch(k -> k.contains("/reading-"));
        }

        @Test
        @DisplayName("a reader's claim stays fresh while it waits for a prune to decide")
        void claimRefreshedWhileWaiting() throws Exception {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet old = backupAt(vault, clock, T0);
            String tombstone = RepositoryLayout.recordsPrefix(old.id()) + "deleting-stalled.json";
            repo.plant(tombstone, "{\"formatVersion\":1,\"set\":\"" + old.id() + "\",\"kind\":\"deleting\"}");
            CompletableFuture<RestoreResult> restore = CompletableFuture.supplyAsync(() -> vault.restore(
                    RestoreRequest.builder().backupId(old.id()).build()));
            await().atMost(Duration.ofSeconds(10)).until(() -> readingRecords(old).size() == 1);
            String record = readingRecords(old).get(0);
            Instant first = repo.stat(record).orElseThrow().lastModified();
            repo.advance(Duration.ofMinutes(1));
            await().atMost(Duration.ofSeconds(10)).until(() -> repo.stat(record).map(ObjectInfo::lastModified)
                    .filter(t -> t.isAfter(first)).isPresent());
            assertThat(restore).as("still waiting for the prune's decision").isNotDone();
            repo.delete(tombstone); // the prune stood back
            assertThat(restore.get(10, TimeUnit.SECONDS).set().id()).isEqualTo(old.id());
        }

        @Test
        @DisplayName("the announcement of a prune killed before deciding holds a reader no longer than a commit window "
                + "after it was written; one dated after the reader's claim (planted) not at all")
        void staleAndFutureAnnouncements() throws Exception {
            Hand clock = new Hand(T0);
            Leases tight = new Leases(Duration.ofMillis(20), Duration.ofMillis(400));
            PgVault vault = PgVault.builder().strategy(strategy).repository(repo).clock(clock).leases(tight)
                    .pipeline(TestKeys.SIGNED).build();
            BackupSet old = backupAt(vault, clock, T0);
            String prefix = RepositoryLayout.recordsPrefix(old.id());
            String body = "{\"formatVersion\":1,\"set\":\"" + old.id() + "\",\"kind\":\"deleting\"}";
            repo.storeNow = T0.minusMillis(150); // written 150 ms before the reader's claim: 50 ms of window left
            repo.plant(prefix + "deleting-killed.json", body);
            repo.storeNow = T0.plus(Duration.ofDays(1)); // dated a day after it
            repo.plant(prefix + "deleting-planted.json", body);
            repo.storeNow = T0;
            long started = System.nanoTime();
            RestoreResult result = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> vault.restore(RestoreRequest.builder().backupId(old.id()).build()));
            assertThat(result.set().id()).isEqualTo(old.id());
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("not the whole commit window")
                    .isLessThan(Duration.ofSeconds(5));
        }

        @Test
        @DisplayName("a reader's record dated in the store's future (planted) keeps nothing and is debris; one that "
                + "names a longer lease than the pruner's is honoured up to six hours")
        void plantedAndLongerClaims() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet old = backupAt(vault, clock, T0);
            BackupSet mid = backupAt(vault, clock, T0.plus(Duration.ofDays(1)));
            BackupSet last = backupAt(vault, clock, T0.plus(Duration.ofDays(2)));
            String reading = "{\"formatVersion\":1,\"set\":\"%s\",\"kind\":\"reading\",\"operation\":\"restore\","
                    + "\"expireAfterSeconds\":%d}";
            Instant now = repo.storeNow;
            repo.storeNow = now.plus(Duration.ofDays(365));
            repo.plant(RepositoryLayout.recordsPrefix(old.id()) + "reading-future.json", reading.formatted(old.id(), 0));
            repo.plant(RepositoryLayout.recordsPrefix(last.id()) + "reading-future.json",
                    reading.formatted(last.id(), 0));
            repo.storeNow = now;
            repo.plant(RepositoryLayout.recordsPrefix(mid.id()) + "reading-long.json",
                    reading.formatted(mid.id(), Duration.ofHours(2).toSeconds()));

            repo.advance(Duration.ofHours(1)); // past the pruner's 30 minutes, within the reader's 2 hours
            clock.now = repo.storeNow;
            PruneReport report = vault.prune(RetentionPolicy.keepLast(1), PruneMode.EXECUTE);
            assertThat(report.removed()).extracting(BackupSet::id).containsExactly(old.id());
            assertThat(report.skipped()).singleElement().asString().startsWith(mid.id() + ": being read");
            assertThat(repo.objects.keySet()).as("the planted record on the set that stays is swept")
                    .noneMatch(k -> k.endsWith("reading-future.json"));

            repo.advance(Duration.ofHours(2));
            clock.now = repo.storeNow;
            assertThat(vault.prune(RetentionPolicy.keepLast(1), PruneMode.EXECUTE).removed())
                    .extracting(BackupSet::id).containsExactly(mid.id());
        }

        @Test
        @DisplayName("a prune that fails after announcing a deletion takes its announcement back")
        void failedPruneTakesItsAnnouncementBack() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet old = backupAt(vault, clock, T0);
            backupAt(vault, clock, T0.plus(Duration.ofDays(1)));
            repo.beforeList = prefix -> {
                if (prefix.equals(RepositoryLayout.recordsPrefix(old.id()))
                        && repo.objects.keySet().stream().anyMatch(k -> k.contains("/deleting-"))) {
                    repo.beforeList = p -> { };
                    throw new RepositoryException("list " + prefix + " failed: 503 Slow Down", null);
                }
            };
            assertThatThrownBy(() -> vault.prune(RetentionPolicy.keepLast(1), PruneMode.EXECUTE))
                    .isInstanceOf(RepositoryException.class);
            assertThat(repo.objects.keySet()).noneMatch(k -> k.contains("/deleting-"));
            assertThat(vault.find(old.id())).isPresent();
        }

        @Test
        @DisplayName("credentials that cannot write the claim (read-only): the restore reads without one")
        void readOnlyRestoreGoesOn() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet old = backupAt(vault, clock, T0);
            repo.beforeCommit = key -> {
                if (key.startsWith(RepositoryLayout.RECORDS)) {
                    throw new RepositoryException("put " + key + " failed: 403 AccessDenied", null);
                }
            };
            assertThat(vault.restore(RestoreRequest.builder().backupId(old.id()).build()).set().id())
                    .isEqualTo(old.id());
            assertThat(vault.verify(old.id(), false).problems()).isEmpty();
            assertThat(readingRecords(old)).isEmpty();
        }
    }

    @Nested
    @DisplayName("3. prune and tiers")
    class PruneKnowsTiers {
        private final SharedRepository monthly = new SharedRepository("monthly");

        private Tier tier(Duration maxWait, boolean required) {
            return Tier.builder("drive", monthly).filter(TierFilter.lastOfMonth(ZoneOffset.UTC)).required(required)
                    .maxCopyWait(maxWait).build();
        }

        @Test
        @DisplayName("a month-end set the tier lacks is kept while the tier is down, with the reason, and copied later")
        void keptWhileTierDown() {
            Hand clock = new Hand(Instant.parse("2026-01-30T02:00:00Z"));
            PgVault vault = vault(clock, tier(Duration.ofDays(30), false));
            monthly.down = true;
            BackupSet january = null;
            for (int day = 0; day < 14; day++) { // Jan 30 .. Feb 12, daily, keepLast(7)
                Instant at = Instant.parse("2026-01-30T02:00:00Z").plus(Duration.ofDays(day));
                clock.now = at;
                repo.storeNow = at;
                monthly.storeNow = at;
                BackupSet set = vault.backupAndCopy().set();
                if (day == 1) {
                    january = set;
                }
                vault.prune(RetentionPolicy.keepLast(7), PruneMode.EXECUTE);
            }
            BackupId jan = january.id();
            assertThat(vault.find(jan)).isPresent();
            assertThat(vault.planRetention(RetentionPolicy.keepLast(7)).decision(jan).orElseThrow()
                    .reasons()).anyMatch(r -> r.contains("awaiting copy to tier drive"));
            TierHealth health = vault.tierHealth().get(0);
            assertThat(health.healthy()).isFalse();
            monthly.down = false;
            SyncReport sync = vault.sync();
            assertThat(sync.tiers().get(0).copies()).anyMatch(c -> c.id().equals(jan) && c.succeeded());
            vault.prune(RetentionPolicy.keepLast(7), PruneMode.EXECUTE);
            assertThat(vault.find(jan)).isEmpty();
            assertThat(vault.onTier("drive").find(jan)).isPresent();
            assertThat(vault.tierHealth().get(0).lost()).isEmpty();
        }

        @Test
        @DisplayName("past maxCopyWait the set is pruned, loudly: an event, a notice, and the tier reports it lost")
        void lostLoudly() {
            Hand clock = new Hand(Instant.parse("2026-01-30T02:00:00Z"));
            List<VaultEvent> events = new CopyOnWriteArrayList<>();
            PgVault vault = PgVault.builder().strategy(strategy).repository(repo).clock(clock).leases(FAST)
                    .tier(tier(Duration.ofDays(5), true)).listener(events::add).build();
            monthly.down = true;
            BackupSet january = null;
            for (int day = 0; day < 14; day++) {
                Instant at = Instant.parse("2026-01-30T02:00:00Z").plus(Duration.ofDays(day));
                clock.now = at;
                repo.storeNow = at;
                monthly.storeNow = at;
                try {
                    BackupSet set = vault.backup();
                    if (day == 1) {
                        january = set;
                    }
                } catch (io.pgvault.api.tier.TierCopyException e) {
                    if (day == 1) {
                        january = e.result().set();
                    }
                }
                vault.prune(RetentionPolicy.keepLast(7), PruneMode.EXECUTE);
            }
            BackupId lost = january.id();
            assertThat(vault.find(lost)).isEmpty();
            assertThat(events).anyMatch(e -> e instanceof Events.TierCopyAbandoned a && a.id().equals(lost)
                    && a.required());
            TierHealth health = vault.tierHealth().get(0);
            assertThat(health.lost()).contains(lost);
            assertThat(health.healthy()).isFalse();
            monthly.down = false;
            vault.sync();
            assertThat(vault.tierHealth().get(0).lost()).contains(lost); // still never received
        }
    }

    @Nested
    @DisplayName("4. time")
    class Time {
        @Test
        @DisplayName("a writer whose clock runs hours ahead cannot commit: clock skew against the store")
        void futureCommitRefused() {
            Hand ahead = new Hand(T0.plus(Duration.ofHours(3)));
            PgVault vault = vault(ahead);
            repo.storeNow = T0;
            assertThatThrownBy(vault::backup).isInstanceOf(IntegrityException.class)
                    .hasMessageContaining("clock skew");
            assertThat(vault.list()).isEmpty();
            assertThat(repo.objects.keySet()).noneMatch(k -> k.startsWith(RepositoryLayout.DATA));
        }

        @Test
        @DisplayName("a pruner whose clock runs hours ahead refuses to prune: pins 'until' and windows would end early")
        void prunerAheadRefused() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet old = backupAt(vault, clock, T0);
            backupAt(vault, clock, T0.plus(Duration.ofDays(1)));
            vault.catalog().pin(old.id(), Pin.until(T0.plus(Duration.ofDays(1)).plus(Duration.ofHours(2))));
            clock.now = repo.storeNow.plus(Duration.ofHours(3));
            assertThatThrownBy(() -> vault.prune(RetentionPolicy.keepLast(1), PruneMode.EXECUTE))
                    .isInstanceOf(IntegrityException.class).hasMessageContaining("clock skew");
            assertThat(vault.find(old.id())).isPresent();
            // what it would have done: the pin looks expired to that clock
            assertThat(vault.prune(RetentionPolicy.keepLast(1), PruneMode.DRY_RUN).removed())
                    .extracting(BackupSet::id).containsExactly(old.id());
        }

        @Test
        @DisplayName("a hand-made manifest dated in the future is never the newest, never kept as such, never restored")
        void futureManifestIgnored() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet real = backupAt(vault, clock, T0);
            BackupSet forged = new BackupSet(BackupId.of("20260111T000000Z-f00f00"), "cluster", BackupType.LOGICAL,
                    BackupStatus.COMPLETE, "*", T0.plus(Duration.ofDays(30)), T0.plus(Duration.ofDays(30)),
                    Optional.empty(), List.of(), Map.of(), Optional.empty());
            repo.plant(Catalog.manifestKey(forged.id()), manifestJson(forged));
            assertThat(vault.list()).hasSize(2);
            assertThat(vault.latest()).contains(real);
            var plan = vault.planRetention(RetentionPolicy.keepLast(1));
            assertThat(plan.decision(real.id()).orElseThrow().action())
                    .isEqualTo(io.pgvault.api.retention.RetentionDecision.Action.KEEP);
            // unsigned (planted): retention neither counts it nor deletes it (a signed future-dated set is judged by
            // the planner's future rule, RetentionTableTest)
            assertThat(plan.decision(forged.id()).orElseThrow().reasons())
                    .anyMatch(r -> r.startsWith(io.pgvault.api.retention.RetentionPlan.UNAUTHENTICATED));
            assertThat(vault.restore(RestoreRequest.builder().targetDatabase("x").build()).set().id())
                    .isEqualTo(real.id());
        }
    }

    @Nested
    @DisplayName("5. two copiers of one set")
    class TwoCopiers {
        @Test
        @DisplayName("two processes re-encoding one set to one tier: one copies, the other stands back, the copy is sound")
        void oneCopierWins() {
            SharedRepository tierRepo = new SharedRepository("tier");
            Hand clock = new Hand(T0);
            Tier reencoded = Tier.builder("vault2", tierRepo).pipeline(PipelineOptions.defaults()
                    .withEncryption(Encryption.passphrase(Secret.of("tier passphrase")))).build();
            BackupSet set = backupAt(vault(clock), clock, T0);
            PgVault a = vault(clock, reencoded);
            PgVault b = vault(clock, reencoded);
            CountDownLatch aWriting = new CountDownLatch(1);
            CountDownLatch bDone = new CountDownLatch(1);
            tierRepo.beforeCommit = key -> {
                if (key.endsWith("db1.sql.zst.age") && Thread.currentThread().getName().startsWith("copier-a")) {
                    aWriting.countDown();
                    try {
                        bDone.await(60, TimeUnit.SECONDS); // b derives a scrypt key too: seconds on a busy machine
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            CompletableFuture<SyncReport> first = new CompletableFuture<>();
            Thread copierA = new Thread(() -> first.complete(a.sync()), "copier-a");
            copierA.start();
            await().atMost(60, TimeUnit.SECONDS).until(() -> aWriting.getCount() == 0);
            SyncReport second = b.sync();
            bDone.countDown();
            SyncReport firstReport = first.join();
            assertThat(second.tiers().get(0).copies().get(0).error()).get()
                    .isInstanceOf(ConflictException.class);
            assertThat(firstReport.tiers().get(0).copies().get(0).succeeded()).isTrue();
            PgVault onTier = a.onTier("vault2");
            assertThat(onTier.verify(set.id(), true).problems()).isEmpty();
        }
    }

    @Nested
    @DisplayName("5b. a copier working from a stale view")
    class StaleCopier {
        @Test
        @DisplayName("a sync that decided to copy a set before another process committed it there writes nothing")
        void staleSyncWritesNothing() {
            SharedRepository tierRepo = new SharedRepository("tier");
            Hand clock = new Hand(T0);
            Tier reencoded = Tier.builder("vault2", tierRepo).pipeline(PipelineOptions.defaults()
                    .withEncryption(Encryption.passphrase(Secret.of("tier passphrase")))).build();
            BackupSet set = backupAt(vault(clock), clock, T0);
            PgVault a = vault(clock, reencoded);
            PgVault b = vault(clock, reencoded);
            java.util.Map<String, String> after = new java.util.HashMap<>();
            tierRepo.beforeList = prefix -> {
                if (prefix.equals(RepositoryLayout.MANIFESTS)) { // b has just seen the tier without the set
                    tierRepo.beforeList = p -> { };
                    assertThat(a.sync().tiers().get(0).copies()).singleElement()
                            .satisfies(c -> assertThat(c.succeeded()).isTrue());
                    tierRepo.objects.forEach((k, v) -> after.put(k, MemoryDigest.of(v)));
                }
            };
            SyncReport report = b.sync();
            assertThat(report.tiers().get(0).copies()).singleElement().satisfies(c -> {
                assertThat(c.succeeded()).isTrue();
                assertThat(c.objectsCopied()).isZero();
            });
            java.util.Map<String, String> now = new java.util.HashMap<>();
            tierRepo.objects.forEach((k, v) -> now.put(k, MemoryDigest.of(v)));
            assertThat(now).isEqualTo(after);
            assertThat(a.onTier("vault2").verify(set.id(), true).problems()).isEmpty();
        }
    }

    /** SHA-256 of bytes, for comparing repository contents. */
    static final class MemoryDigest {
        static String of(byte[] bytes) {
            try {
                return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(bytes));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Nested
    @DisplayName("6. manifests are checked")
    class Validation {
        @Test
        @DisplayName("a manifest copied under another set's key is reported damaged; the original lists and prunes")
        void renamedManifest() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet one = backupAt(vault, clock, T0);
            BackupSet two = backupAt(vault, clock, T0.plus(Duration.ofDays(1)));
            repo.plant("manifests/20260101T000000Z-000001.json", repo.read(Catalog.manifestKey(one.id())));
            CatalogScan scan = vault.catalog().scan();
            assertThat(scan.sets()).extracting(BackupSet::id).containsExactly(one.id(), two.id());
            assertThat(scan.damaged()).singleElement().satisfies(d -> {
                assertThat(d.key()).isEqualTo("manifests/20260101T000000Z-000001.json");
                assertThat(d.reason()).contains("names set " + one.id());
            });
            PruneReport report = vault.prune(RetentionPolicy.keepLast(1), PruneMode.EXECUTE);
            assertThat(report.removed()).extracting(BackupSet::id).containsExactly(one.id());
            assertThat(repo.objects).containsKey("manifests/20260101T000000Z-000001.json");
        }

        @Test
        @DisplayName("a manifest holding only {\"formatVersion\":1} breaks nothing: list, latest, prune, sync, health")
        void emptyManifest() {
            SharedRepository tierRepo = new SharedRepository("tier");
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock, Tier.builder("t", tierRepo).build());
            BackupSet set = backupAt(vault, clock, T0);
            repo.plant("manifests/20260110T130000Z-aaaaaa.json", "{\"formatVersion\":1}");
            assertThat(vault.list()).containsExactly(set);
            assertThat(vault.latest()).contains(set);
            assertThat(vault.catalog().scan().damaged()).singleElement()
                    .satisfies(d -> assertThat(d.reason()).contains("holds no set"));
            vault.prune(RetentionPolicy.keepLast(1), PruneMode.EXECUTE);
            assertThat(vault.sync().tiers().get(0).problem()).isEmpty();
            assertThat(vault.tierHealth().get(0).unreadable()).isEmpty();
            assertThat(vault.placement().sets()).hasSize(1);
            assertThat(vault.placement().problems()).singleElement().asString()
                    .contains("damaged manifest manifests/20260110T130000Z-aaaaaa.json");
        }

        @Test
        @DisplayName("a manifest with absurd times is reported damaged: retention and tier health still work")
        void absurdTimes() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock, Tier.builder("t", new SharedRepository("tier")).build());
            BackupSet real = backupAt(vault, clock, T0);
            BackupSet ancient = new BackupSet(BackupId.of("20260110T120100Z-0a0a0a"), "cluster", BackupType.LOGICAL,
                    BackupStatus.COMPLETE, "*", Instant.parse("-1000000000-01-01T00:00:00Z"),
                    Instant.parse("+1000000000-12-31T23:59:59Z"), Optional.empty(), List.of(), Map.of(),
                    Optional.empty());
            repo.plant(Catalog.manifestKey(ancient.id()), manifestJson(ancient));
            assertThat(vault.catalog().scan().damaged()).singleElement()
                    .satisfies(d -> assertThat(d.reason()).contains("outside 2000..9999"));
            assertThat(vault.planRetention(RetentionPolicy.calendar().daily(3).build()).decisions()).hasSize(1);
            assertThat(vault.tierHealth()).hasSize(1);
            assertThat(vault.latest()).contains(real);
        }

        @Test
        @DisplayName("a pin record that cannot be read (garbled, or from a newer pgvault) still keeps the set")
        void unreadablePinKeeps() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet old = backupAt(vault, clock, T0);
            backupAt(vault, clock, T0.plus(Duration.ofDays(1)));
            repo.plant(RepositoryLayout.recordsPrefix(old.id()) + "pin-0000.json",
                    "{\"formatVersion\":2,\"set\":\"" + old.id() + "\",\"kind\":\"pin\"}");
            vault.prune(RetentionPolicy.keepLast(1), PruneMode.EXECUTE);
            assertThat(vault.find(old.id())).isPresent();
            repo.plant(RepositoryLayout.recordsPrefix(old.id()) + "pin-0000.json", "{garbled");
            vault.prune(RetentionPolicy.keepLast(1), PruneMode.EXECUTE);
            assertThat(vault.find(old.id())).isPresent();
        }

        @Test
        @DisplayName("a manifest naming objects outside its own prefix is refused; a tier copies nothing of it")
        void foreignKeys() {
            SharedRepository tierRepo = new SharedRepository("tier");
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock, Tier.builder("t", tierRepo).build());
            BackupSet victim = backupAt(vault, clock, T0);
            BackupId evil = BackupId.of("20260110T120500Z-e711e7");
            BackupSet forged = new BackupSet(evil, "cluster", BackupType.LOGICAL, BackupStatus.COMPLETE, "*",
                    T0.plusSeconds(300), T0.plusSeconds(301), Optional.empty(), victim.objects(), Map.of(),
                    Optional.empty());
            repo.plant(Catalog.manifestKey(evil), manifestJson(forged));
            assertThat(vault.find(victim.id())).isPresent();
            assertThat(vault.list()).extracting(BackupSet::id).containsExactly(victim.id());
            assertThatThrownBy(() -> vault.find(evil)).isInstanceOf(IntegrityException.class)
                    .hasMessageContaining("outside the set's prefix");
            vault.sync();
            assertThat(tierRepo.objects.keySet()).noneMatch(k -> k.contains(evil.value()));
        }
    }

    @Nested
    @DisplayName("8. ids and commits")
    class Ids {
        @Test
        @DisplayName("a manifest is committed create-only: a second commit of one id fails and changes nothing")
        void createOnlyCommit() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            BackupSet set = backupAt(vault, clock, T0);
            String before = repo.read(Catalog.manifestKey(set.id()));
            BackupSet other = new BackupSet(set.id(), set.strategy(), set.type(), set.status(), "other",
                    set.startedAt(), set.finishedAt(), Optional.empty(), set.objects(), Map.of(), Optional.empty());
            assertThatThrownBy(() -> vault.catalog().commit(other)).isInstanceOf(ConflictException.class);
            assertThat(repo.read(Catalog.manifestKey(set.id()))).isEqualTo(before);
        }

        @Test
        @DisplayName("a backup never takes an id another writer has claimed, and a failed backup removes only its own")
        void claimedIdNotReused() {
            Hand clock = new Hand(T0);
            PgVault vault = vault(clock);
            // every id this second could generate is claimed by a live writer except the ones the vault tries last:
            // simpler to check the claim itself
            BackupId id = BackupId.generate(T0);
            var first = io.pgvault.internal.Lease.tryAcquire(repo, id, "backup", FAST);
            assertThat(first).isPresent();
            assertThat(io.pgvault.internal.Lease.tryAcquire(repo, id, "backup", FAST)).isEmpty();
            first.get().close();
            assertThat(repo.objects.keySet()).noneMatch(k -> k.startsWith(RepositoryLayout.INTENTS));
            assertThat(vault.backup().id()).isNotEqualTo(id);
        }
    }

    static String manifestJson(BackupSet set) {
        var doc = io.pgvault.internal.Json.mapper().createObjectNode();
        doc.put("formatVersion", 1);
        doc.set("set", io.pgvault.internal.Json.mapper().valueToTree(set));
        return doc.toString();
    }
}
