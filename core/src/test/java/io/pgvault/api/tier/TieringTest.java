package io.pgvault.api.tier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgvault.api.AgeKeys;
import io.pgvault.api.BackupSet;
import io.pgvault.api.Catalog;
import io.pgvault.api.Compression;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.DecryptionException;
import io.pgvault.api.Encryption;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.Secret;
import io.pgvault.api.StoredObject;
import io.pgvault.api.event.Events;
import io.pgvault.api.event.VaultEvent;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.PruneReport;
import io.pgvault.api.retention.RetentionPolicy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TieringTest {
    private static final Instant T0 = Instant.parse("2026-03-10T02:00:00Z");

    private final MemoryRepository primary = new MemoryRepository("primary");
    private final MemoryRepository copy = new MemoryRepository("copy");
    private final TierTesting.ThreeObjects strategy = new TierTesting.ThreeObjects();
    private final TierTesting.MutableClock clock = new TierTesting.MutableClock(T0);
    private final List<VaultEvent> events = new ArrayList<>();

    private PgVault.Builder vaultBuilder() {
        return PgVault.builder().strategy(strategy).repository(primary).clock(clock).listener(events::add)
                .pipeline(io.pgvault.api.TestKeys.SIGNED);
    }

    private PgVault vaultWith(Tier... tiers) {
        PgVault.Builder b = vaultBuilder();
        for (Tier t : tiers) {
            b.tier(t);
        }
        return b.build();
    }

    private static List<BackupSet> listed(MemoryRepository repository) {
        return new Catalog(repository).list();
    }

    @Nested
    class AfterBackup {
        @Test
        @DisplayName("a committed set is copied byte for byte, verified, and listed on the tier with its manifest last")
        void copiesAndVerifies() {
            PgVault vault = vaultWith(Tier.builder("copy", copy).build());
            BackupResult result = vault.backupAndCopy();

            assertThat(result.allTiersSucceeded()).isTrue();
            SetCopy c = result.tiers().get(0).copies().get(0);
            assertThat(c.objectsCopied()).isEqualTo(3);
            assertThat(listed(copy)).extracting(BackupSet::id).containsExactly(result.set().id());
            for (StoredObject o : result.set().objects()) {
                assertThat(copy.objects.get(o.key())).isEqualTo(primary.objects.get(o.key()));
            }
            assertThat(copy.puts.get(copy.puts.size() - 1)).isEqualTo(Catalog.manifestKey(result.set().id()));
            BackupSet onTier = listed(copy).get(0);
            assertThat(onTier.attribute("tier.verifiedAt")).contains(T0.toString());
            assertThat(onTier.attribute("tier.copiedFrom")).contains("memory:primary");
            assertThat(events).filteredOn(e -> e instanceof Events.CopiedToTier).singleElement()
                    .satisfies(e -> assertThat(((Events.CopiedToTier) e).location()).isEqualTo("copy"));
        }

        @Test
        @DisplayName("a failing optional tier keeps the primary set, and is reported in the result, an event and "
                + "health")
        void optionalTierFailure() {
            copy.failPut = k -> k.endsWith("b.sql.zst");
            PgVault vault = vaultWith(Tier.builder("copy", copy).build());

            BackupResult result = vault.backupAndCopy();

            assertThat(vault.list()).containsExactly(result.set());
            assertThat(result.allTiersSucceeded()).isFalse();
            SetCopy failed = result.failedTiers().get(0).failures().get(0);
            assertThat(failed.error()).get().extracting(e -> e.code()).isEqualTo(ErrorCode.REPOSITORY);
            assertThat(failed.error().get().getMessage()).contains("connection reset");
            assertThat(listed(copy)).isEmpty();
            assertThat(events).filteredOn(e -> e instanceof Events.TierCopyFailed).hasSize(1);
            TierHealth health = vault.tierHealth().get(0);
            assertThat(health.healthy()).isFalse();
            assertThat(health.failing()).isTrue();
            assertThat(health.missing()).containsExactly(result.set().id());
            assertThat(health.lastFailure()).get().extracting(TierFailure::message).asString()
                    .contains("connection reset");
        }

        @Test
        @DisplayName("a failing required tier fails the call but the primary set stays committed")
        void requiredTierFailure() {
            copy.failPut = k -> true;
            PgVault vault = vaultWith(Tier.builder("copy", copy).required(true).build());

            assertThatThrownBy(vault::backup).isInstanceOfSatisfying(TierCopyException.class, e -> {
                assertThat(e.getMessage()).contains("committed on the primary", "copy (required)");
                assertThat(e.code()).isEqualTo(ErrorCode.REPOSITORY);
                assertThat(e.retryable()).isTrue();
                assertThat(vault.list()).containsExactly(e.result().set());
            });
            assertThat(primary.objects.keySet()).anyMatch(k -> k.startsWith("manifests/"));
        }

        @Test
        @DisplayName("a copy whose stored hash does not match is removed, reported as an integrity failure, and "
                + "not listed")
        void hashMismatch() {
            copy.corruptPut = k -> k.endsWith("c.sql.zst");
            PgVault vault = vaultWith(Tier.builder("copy", copy).build());

            BackupResult result = vault.backupAndCopy();

            SetCopy failed = result.tiers().get(0).copies().get(0);
            assertThat(failed.error()).get().isInstanceOf(IntegrityException.class);
            assertThat(failed.error().get().getMessage()).contains("does not match what was sent", "SHA-256",
                    "tier copy", "not listed");
            assertThat(listed(copy)).isEmpty();
            assertThat(copy.objects.keySet()).noneMatch(k -> k.endsWith("c.sql.zst"));
        }

        @Test
        @DisplayName("REPOSITORY_DIGEST trusts the store's digest and still catches an altered copy")
        void repositoryDigest() {
            copy.reportsDigest = true;
            copy.corruptPut = k -> k.endsWith("a.sql.zst");
            PgVault vault = vaultWith(Tier.builder("copy", copy).verification(CopyVerification.REPOSITORY_DIGEST)
                    .build());

            SetCopy failed = vault.backupAndCopy().tiers().get(0).copies().get(0);

            assertThat(failed.error()).get().isInstanceOf(IntegrityException.class);
            copy.corruptPut = k -> false;
            assertThat(vault.sync().succeeded()).isTrue();
            assertThat(listed(copy)).hasSize(1);
        }

        @Test
        @DisplayName("a damaged primary object is not copied, and the error names the primary")
        void damagedPrimary() {
            PgVault vault = vaultWith(Tier.builder("copy", copy).build());
            copy.failPut = k -> true;
            BackupSet set = vault.backupAndCopy().set();
            copy.failPut = k -> false;
            String key = set.objects().get(1).key();
            primary.objects.get(key)[10] ^= 0x40;

            SyncReport report = vault.sync();

            assertThat(report.failures()).singleElement().satisfies(f -> {
                assertThat(f.error()).get().isInstanceOf(IntegrityException.class);
                assertThat(f.error().get().getMessage()).contains("on the primary", key);
            });
            assertThat(listed(copy)).isEmpty();
            assertThat(copy.objects).doesNotContainKey(key);
        }
    }

    @Nested
    class Sync {
        @Test
        @DisplayName("an interrupted copy resumes: verified objects are not sent again, the set is listed once")
        void resumes() {
            copy.failPut = k -> k.endsWith("c.sql.zst");
            PgVault vault = vaultWith(Tier.builder("copy", copy).build());
            BackupSet set = vault.backupAndCopy().set();
            assertThat(copy.putsUnder("data/")).hasSize(2);
            assertThat(listed(copy)).isEmpty();

            copy.failPut = k -> false;
            SyncReport report = vault.sync();

            SetCopy c = report.tiers().get(0).copies().get(0);
            assertThat(c.objectsReused()).isEqualTo(2);
            assertThat(c.objectsCopied()).isEqualTo(1);
            for (StoredObject o : set.objects()) {
                assertThat(copy.putCount(o.key())).as(o.key()).isEqualTo(1);
            }
            assertThat(listed(copy)).extracting(BackupSet::id).containsExactly(set.id());
            assertThat(vault.sync().tiers().get(0).copies()).as("nothing left to copy").isEmpty();
            assertThat(copy.putCount(Catalog.manifestKey(set.id()))).isEqualTo(1);
            assertThat(vault.tierHealth().get(0).healthy()).isTrue();
        }

        @Test
        @DisplayName("an object left on the tier with other bytes is replaced, not trusted")
        void replacesStaleObject() {
            PgVault vault = vaultWith(Tier.builder("copy", copy).build());
            copy.failPut = k -> k.startsWith("manifests/");
            BackupSet set = vault.backupAndCopy().set();
            String key = set.objects().get(0).key();
            copy.objects.put(key, "something else".getBytes(StandardCharsets.UTF_8));
            copy.failPut = k -> false;

            SetCopy c = vault.sync().tiers().get(0).copies().get(0);

            assertThat(c.objectsReused()).isEqualTo(2);
            assertThat(c.objectsCopied()).isEqualTo(1);
            assertThat(copy.objects.get(key)).isEqualTo(primary.objects.get(key));
        }

        @Test
        @DisplayName("an unreadable primary is reported on every tier and nothing is copied")
        void unreadablePrimary() {
            PgVault vault = vaultWith(Tier.builder("copy", copy).build());
            primary.failList = true;

            BackupResult result = vault.backupAndCopy();

            assertThat(result.set().objects()).hasSize(3);
            assertThat(result.tiers()).singleElement().satisfies(t -> assertThat(t.problem()).get().asString()
                    .contains("primary memory:primary cannot be listed", "503"));
            assertThat(copy.objects).isEmpty();
            assertThat(vault.tierHealth().get(0).lastFailure()).isPresent();
        }

        @Test
        @DisplayName("a host filter that throws is reported as the tier's failure; the backup stands")
        void throwingFilter() {
            PgVault vault = vaultWith(Tier.builder("copy", copy).filter(TierFilter.matching("broken", s -> {
                throw new IllegalStateException("bug in the host's predicate");
            })).build());

            BackupResult result = vault.backupAndCopy();

            assertThat(vault.list()).containsExactly(result.set());
            assertThat(result.tiers().get(0).problem()).get().asString().contains("bug in the host's predicate");
        }

        @Test
        @DisplayName("an unreadable tier is reported and the other tiers are still synced")
        void unreadableTier() {
            MemoryRepository other = new MemoryRepository("other");
            copy.failList = true;
            PgVault vault = vaultWith(Tier.builder("copy", copy).build(), Tier.builder("other", other).build());

            BackupResult result = vault.backupAndCopy();

            assertThat(result.tiers().get(0).problem()).get().asString().contains("503");
            assertThat(result.tiers().get(1).succeeded()).isTrue();
            assertThat(listed(other)).hasSize(1);
            assertThat(vault.tierHealth().get(0).unreadable()).isPresent();
        }
    }

    @Nested
    class Reencryption {
        private final Secret primaryKey = AgeKeys.generateIdentity();
        private final Secret tierKey = AgeKeys.generateIdentity();
        private final PipelineOptions primaryOptions = PipelineOptions.defaults()
                .withEncryption(Encryption.x25519(primaryKey));
        private final PipelineOptions tierOptions = new PipelineOptions(Compression.gzip(),
                Encryption.x25519(tierKey));

        private PgVault vault() {
            return vaultBuilder().pipeline(primaryOptions)
                    .tier(Tier.builder("vault", copy).pipeline(tierOptions).build()).build();
        }

        @Test
        @DisplayName("a re-encrypted copy has the tier's stored digests, the same logical digests, and restores "
                + "only with the tier's key")
        void roundTrip() {
            PgVault vault = vault();
            BackupSet set = vault.backupAndCopy().set();
            BackupSet onTier = listed(copy).get(0);

            for (int i = 0; i < 3; i++) {
                StoredObject p = set.objects().get(i);
                StoredObject t = onTier.objects().get(i);
                assertThat(t.key()).endsWith(".gz.age");
                assertThat(t.compression()).isEqualTo(Compression.gzip());
                assertThat(t.logicalSha256()).isEqualTo(p.logicalSha256());
                assertThat(t.storedSha256()).isNotEqualTo(p.storedSha256())
                        .isEqualTo(MemoryRepository.sha256(copy.objects.get(t.key())));
            }
            assertThat(copy.objects.keySet()).noneMatch(k -> k.contains(TierCopier.JOURNAL));

            primary.objects.clear();
            PgVault tierAlone = PgVault.builder().strategy(strategy).repository(copy)
                    .pipeline(PipelineOptions.defaults().withEncryption(Encryption.x25519(tierKey))).build();
            tierAlone.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("x").build());
            assertThat(strategy.restored).containsExactly(TierTesting.ThreeObjects.content("a.sql", T0),
                    TierTesting.ThreeObjects.content("b.sql", T0), TierTesting.ThreeObjects.content("c.sql", T0));

            PgVault withPrimaryKey = PgVault.builder().strategy(strategy).repository(copy).pipeline(primaryOptions)
                    .build();
            // the copy's manifest is signed with a key derived from the tier's identity: another key proves nothing,
            // and nothing is decrypted before the opt-in
            assertThatThrownBy(() -> withPrimaryKey.restore(RestoreRequest.builder().backupId(set.id())
                    .targetDatabase("x").build())).isInstanceOf(io.pgvault.api.UnauthenticatedSetException.class)
                    .hasMessageContaining("does not verify");
            assertThatThrownBy(() -> withPrimaryKey.restore(RestoreRequest.builder().backupId(set.id())
                    .targetDatabase("x").allowUnauthenticated(true).build())).isInstanceOf(DecryptionException.class);
        }

        @Test
        @DisplayName("restoreFrom(tier) reads the tier alone with the tier's key")
        void restoreFrom() {
            PgVault vault = vault();
            BackupSet set = vault.backupAndCopy().set();
            primary.objects.clear();

            vault.restoreFrom("vault", RestoreRequest.builder().backupId(set.id()).targetDatabase("x").build());

            assertThat(strategy.restored).hasSize(3).allMatch(s -> s.contains("-- "));
        }

        @Test
        @DisplayName("an interrupted re-encrypted copy resumes from its journal without encoding verified objects "
                + "again")
        void resumesFromJournal() {
            copy.failPut = k -> k.endsWith("c.sql.gz.age");
            PgVault vault = vault();
            BackupSet set = vault.backupAndCopy().set();
            assertThat(listed(copy)).isEmpty();
            copy.failPut = k -> false;

            SetCopy c = vault.sync().tiers().get(0).copies().get(0);

            assertThat(c.objectsReused()).isEqualTo(2);
            assertThat(c.objectsCopied()).isEqualTo(1);
            assertThat(copy.putsUnder(Catalog.dataPrefix(set.id())).stream().filter(k -> k.endsWith("/a.sql.gz.age")))
                    .as("a.sql was encoded once, under the first copier's folder").hasSize(1);
            assertThat(listed(copy)).singleElement().satisfies(s -> assertThat(s.objects()).hasSize(3));
            assertThat(copy.objects.keySet()).noneMatch(k -> k.contains(TierCopier.JOURNAL));
        }

        @Test
        @DisplayName("a journal entry someone else wrote (no valid MAC of the tier's key) is not reused: its object "
                + "is encoded afresh, and nothing planted is committed and signed")
        void plantedJournalNotReused() {
            copy.failPut = k -> k.endsWith("c.sql.gz.age");
            PgVault vault = vault();
            vault.backupAndCopy();
            copy.failPut = k -> false;
            String journal = copy.objects.keySet().stream().filter(k -> k.contains(TierCopier.JOURNAL)
                    && k.endsWith("a.sql.json")).findFirst().orElseThrow();
            String json = new String(copy.objects.get(journal), StandardCharsets.UTF_8);
            copy.objects.put(journal, json.replaceAll("(?s),\\s*\"auth\"\\s*:\\s*\\{.*\\}\\s*}\\s*$", "}")
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(new String(copy.objects.get(journal), StandardCharsets.UTF_8)).doesNotContain("auth");

            SetCopy c = vault.sync().tiers().get(0).copies().get(0);

            assertThat(c.objectsReused()).isEqualTo(1);
            assertThat(c.objectsCopied()).isEqualTo(2);
        }
    }

    @Nested
    @DisplayName("passphrase sets (one key derivation per set)")
    class PassphraseTiers {
        private final PipelineOptions primaryOptions = io.pgvault.api.TestKeys.SIGNED
                .withEncryption(Encryption.passphrase(Secret.of("primary passphrase")).withWorkFactor(10));
        private final PipelineOptions tierOptions = new PipelineOptions(Compression.gzip(),
                Encryption.passphrase(Secret.of("tier passphrase")).withWorkFactor(10))
                .withIntegrityKey(io.pgvault.api.TestKeys.INTEGRITY);

        private PgVault vault(Tier tier) {
            return vaultBuilder().pipeline(primaryOptions).tier(tier).build();
        }

        @Test
        @DisplayName("a re-encoded copy gets the tier's own set key, in the copier's folder; it costs one derivation "
                + "per side, and restores from the tier alone with the tier's passphrase")
        void reencodedWithOwnKey() {
            PgVault vault = vault(Tier.builder("vault", copy).pipeline(tierOptions).build());
            long before = io.pgvault.internal.pipeline.PipelineAccess.scryptDerivations();
            BackupSet set = vault.backupAndCopy().set();
            long derived = io.pgvault.internal.pipeline.PipelineAccess.scryptDerivations() - before;
            BackupSet onTier = listed(copy).get(0);

            assertThat(derived).as("wrap the primary's key, unwrap it for the copy, wrap the tier's").isEqualTo(3);
            StoredObject keyFile = onTier.objects().get(0);
            assertThat(keyFile.isSetKey()).isTrue();
            assertThat(keyFile.key()).matches("data/" + set.id() + "/w-[0-9a-f]{8}/set-key.age");
            assertThat(keyFile.storedSha256()).isNotEqualTo(set.objects().get(0).storedSha256());
            assertThat(onTier.objects()).hasSize(4).filteredOn(o -> !o.isSetKey()).allSatisfy(o -> {
                assertThat(o.encryption()).isEqualTo("age-set-key");
                assertThat(o.attribute("ageSetKey")).isEqualTo(keyFile.key());
                assertThat(o.key()).endsWith(".gz.age");
            });

            primary.objects.clear();
            PgVault tierAlone = PgVault.builder().strategy(strategy).repository(copy).pipeline(tierOptions).build();
            tierAlone.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("x").build());
            assertThat(strategy.restored).containsExactly(TierTesting.ThreeObjects.content("a.sql", T0),
                    TierTesting.ThreeObjects.content("b.sql", T0), TierTesting.ThreeObjects.content("c.sql", T0));
            PgVault primaryPassphrase = PgVault.builder().strategy(strategy).repository(copy)
                    .pipeline(primaryOptions).build();
            assertThatThrownBy(() -> primaryPassphrase.restore(RestoreRequest.builder().backupId(set.id())
                    .targetDatabase("x").build())).isInstanceOf(DecryptionException.class)
                    .hasMessageContaining("wrong passphrase");
        }

        @Test
        @DisplayName("from the second backup on, both sides' set keys are made between backups: a backup and its "
                + "re-encoded copy derive only the unwrap the copy reads with, and the copy restores from the tier")
        void keysMadeAheadOnBothSides() {
            PgVault vault = vault(Tier.builder("vault", copy).pipeline(tierOptions).build());
            BackupSet first = vault.backupAndCopy().set();
            Instant firstEnded = clock.instant();
            clock.advance(java.time.Duration.ofHours(1));
            long before = io.pgvault.internal.pipeline.PipelineAccess.scryptDerivations();
            BackupSet second = vault.backupAndCopy().set();
            long derived = io.pgvault.internal.pipeline.PipelineAccess.scryptDerivations() - before;

            assertThat(derived).as("only the copy's unwrap of the primary's key").isEqualTo(1);
            BackupSet secondOnTier = listed(copy).stream().filter(s -> s.id().equals(second.id())).findFirst()
                    .orElseThrow();
            // the keys were made when the first backup ended, an hour before the second started
            assertThat(keyCreated(primaryOptions, primary, second)).isEqualTo(firstEnded);
            assertThat(keyCreated(tierOptions, copy, secondOnTier)).isEqualTo(firstEnded);
            assertThat(recipients(primaryOptions, primary, listed(primary))).doesNotHaveDuplicates();
            assertThat(recipients(tierOptions, copy, listed(copy))).hasSize(2).doesNotHaveDuplicates();

            primary.objects.clear();
            PgVault tierAlone = PgVault.builder().strategy(strategy).repository(copy).pipeline(tierOptions).build();
            tierAlone.restore(RestoreRequest.builder().backupId(second.id()).targetDatabase("x").build());
            assertThat(strategy.restored).containsExactly(TierTesting.ThreeObjects.content("a.sql",
                    second.startedAt()), TierTesting.ThreeObjects.content("b.sql", second.startedAt()),
                    TierTesting.ThreeObjects.content("c.sql", second.startedAt()));
            assertThat(first.id()).isNotEqualTo(second.id());
        }

        @Test
        @DisplayName("a backup that fails does not give its key back: the next set gets the key made after the "
                + "failure, not the one the failed set took")
        void failedBackupKeepsItsKey() {
            PgVault vault = vault(Tier.builder("vault", copy).pipeline(tierOptions).build());
            vault.backupAndCopy();
            Instant firstEnded = clock.instant();
            clock.advance(java.time.Duration.ofHours(1));
            primary.failPut = k -> k.contains("/b.sql");
            assertThatThrownBy(vault::backupAndCopy).isInstanceOf(RuntimeException.class);
            primary.failPut = k -> false;
            Instant failureEnded = clock.instant();
            clock.advance(java.time.Duration.ofHours(1));
            BackupSet third = vault.backupAndCopy().set();

            assertThat(listed(primary)).hasSize(2);
            assertThat(keyCreated(primaryOptions, primary, third)).isEqualTo(failureEnded).isNotEqualTo(firstEnded);
            assertThat(recipients(primaryOptions, primary, listed(primary))).doesNotHaveDuplicates();
        }

        private static Instant keyCreated(PipelineOptions options, MemoryRepository repository, BackupSet set) {
            StoredObject keyFile = set.objects().get(0);
            assertThat(keyFile.isSetKey()).isTrue();
            return io.pgvault.internal.pipeline.PipelineAccess.keyCreated(options, repository::open, keyFile.key());
        }

        private static List<String> recipients(PipelineOptions options, MemoryRepository repository,
                List<BackupSet> sets) {
            try (io.pgvault.internal.pipeline.DecodeSession session = new io.pgvault.internal.pipeline.Pipeline(
                    options).session(repository::open)) {
                return sets.stream().map(s -> io.pgvault.internal.pipeline.SetEncoder.recipientOf(session,
                        s.objects().get(0).key(), s.objects().get(0).storedSha256())).toList();
            }
        }

        @Test
        @DisplayName("an interrupted re-encoded copy resumes with the key file it wrote, keeping the objects "
                + "encrypted to it")
        void resumesWithItsKey() {
            copy.failPut = k -> k.endsWith("c.sql.gz.age");
            PgVault vault = vault(Tier.builder("vault", copy).pipeline(tierOptions).build());
            BackupSet set = vault.backupAndCopy().set();
            assertThat(listed(copy)).isEmpty();
            copy.failPut = k -> false;

            SetCopy c = vault.sync().tiers().get(0).copies().get(0);

            assertThat(c.objectsReused()).isEqualTo(2);
            assertThat(c.objectsCopied()).isEqualTo(1);
            assertThat(copy.putsUnder(Catalog.dataPrefix(set.id())).stream().filter(k -> k.endsWith("/set-key.age")))
                    .as("one key file, adopted by the second attempt").hasSize(1);
            BackupSet onTier = listed(copy).get(0);
            assertThat(onTier.objects()).filteredOn(StoredObject::isSetKey).hasSize(1);
            PgVault tierAlone = PgVault.builder().strategy(strategy).repository(copy).pipeline(tierOptions).build();
            tierAlone.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("x").build());
            assertThat(strategy.restored).hasSize(3);
        }

        @Test
        @DisplayName("a byte-for-byte copy carries the key file with the objects and restores with the primary's "
                + "passphrase")
        void byteCopyCarriesKeyFile() {
            PgVault vault = vault(Tier.builder("vault", copy).build());
            BackupSet set = vault.backupAndCopy().set();
            BackupSet onTier = listed(copy).get(0);
            assertThat(onTier.objects()).isEqualTo(set.objects());
            primary.objects.clear();
            PgVault tierAlone = PgVault.builder().strategy(strategy).repository(copy).pipeline(primaryOptions)
                    .build();
            tierAlone.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("x").build());
            assertThat(strategy.restored).hasSize(3);
        }
    }

    @Nested
    class MonthEnd {
        @Test
        @DisplayName("a month-end tier receives a month's last set once the month is over, and nothing else")
        void monthEnd() {
            PgVault vault = vaultWith(Tier.builder("monthly", copy)
                    .filter(TierFilter.lastOfMonth(java.time.ZoneId.of("Europe/Berlin"))).build());
            clock.set(Instant.parse("2026-01-10T10:00:00Z"));
            vault.backup();
            clock.set(Instant.parse("2026-01-31T22:30:00Z")); // 23:30 in Berlin: still January
            BackupSet january = vault.backupAndCopy().set();
            assertThat(listed(copy)).as("January is not over").isEmpty();

            clock.set(Instant.parse("2026-01-31T23:30:00Z")); // 00:30 on 1 February in Berlin
            BackupResult february = vault.backupAndCopy();

            assertThat(listed(copy)).extracting(BackupSet::id).containsExactly(january.id());
            assertThat(february.tiers().get(0).copies()).extracting(SetCopy::id).containsExactly(january.id());
            assertThat(vault.tierHealth().get(0).missing()).isEmpty();
        }
    }

    @Nested
    class Retention {
        @Test
        @DisplayName("a tier that cannot be listed does not keep the next tier from being pruned; the failure is "
                + "thrown after, naming both, and shows in health")
        void oneTierDownOthersPruned() {
            MemoryRepository second = new MemoryRepository("second");
            PgVault vault = vaultWith(Tier.builder("first", copy).build(),
                    Tier.builder("second", second).retention(RetentionPolicy.keepLast(1)).build());
            vault.backupAndCopy();
            vault.backupAndCopy();
            copy.failList = true;
            assertThatThrownBy(() -> vault.pruneTiers(PruneMode.EXECUTE))
                    .isInstanceOf(io.pgvault.api.RepositoryException.class)
                    .hasMessageContaining("prune of tier first").hasMessageContaining("pruned: second");
            copy.failList = false;
            assertThat(vault.onTier("second").list()).hasSize(1);
            assertThat(vault.tierHealth().get(0).lastFailure()).get()
                    .satisfies(f -> assertThat(f.message()).contains("prune of tier first"));
        }

        @Test
        @DisplayName("each tier prunes with its own policy; the primary keeps its sets and pruned copies are not "
                + "copied again")
        void perTierRetention() {
            MemoryRepository keepAll = new MemoryRepository("all");
            PgVault vault = vaultWith(Tier.builder("short", copy).retention(RetentionPolicy.keepLast(2)).build(),
                    Tier.builder("all", keepAll).build());
            for (int i = 0; i < 4; i++) {
                vault.backup();
                clock.advance(Duration.ofDays(1));
            }
            assertThat(listed(copy)).hasSize(4);

            PruneReport dry = vault.pruneTiers(PruneMode.DRY_RUN).get("short");
            assertThat(dry.removed()).hasSize(2);
            assertThat(listed(copy)).hasSize(4);
            Map<String, PruneReport> reports = vault.pruneTiers(PruneMode.EXECUTE);

            assertThat(reports).containsOnlyKeys("short", "all");
            assertThat(reports.get("all").removed()).isEmpty();
            List<BackupSet> all = vault.list();
            assertThat(listed(copy)).extracting(BackupSet::id).containsExactly(all.get(2).id(), all.get(3).id());
            assertThat(all).hasSize(4);
            assertThat(listed(keepAll)).hasSize(4);
            assertThat(vault.sync().tiers().get(0).copies()).as("pruned copies stay pruned").isEmpty();
            assertThat(events).filteredOn(e -> e instanceof Events.Pruned p && p.location().equals("short"))
                    .hasSize(2);
        }

        @Test
        @DisplayName("a tier without retention keeps its sets, but loses the debris of a copy that can never finish")
        void debrisOfAbandonedCopy() {
            copy.failPut = k -> k.endsWith("c.sql.zst");
            PgVault vault = vaultWith(Tier.builder("copy", copy).build());
            BackupSet kept = vault.backupAndCopy().set();
            copy.failPut = k -> false;
            vault.sync();
            copy.failPut = k -> k.endsWith("c.sql.zst");
            clock.advance(Duration.ofDays(1));
            BackupSet abandoned = vault.backupAndCopy().set();
            vault.catalog().delete(abandoned.id()); // the primary dropped it before the tier got it all
            copy.objects.keySet().forEach(k -> copy.backdate(k, Duration.ofHours(2)));

            PruneReport report = vault.pruneTiers(PruneMode.EXECUTE).get("copy");

            assertThat(report.removed()).isEmpty();
            assertThat(report.debris()).hasSize(2).allMatch(k -> k.startsWith(Catalog.dataPrefix(abandoned.id())));
            assertThat(listed(copy)).extracting(BackupSet::id).containsExactly(kept.id());
            assertThat(copy.objects.keySet()).noneMatch(k -> k.startsWith(Catalog.dataPrefix(abandoned.id())));
        }

        @Test
        @DisplayName("a tier that was down only receives the sets its retention would keep")
        void catchUpHonoursRetention() {
            copy.failPut = k -> true;
            PgVault vault = vaultWith(Tier.builder("short", copy).retention(RetentionPolicy.keepLast(2)).build());
            for (int i = 0; i < 4; i++) {
                vault.backup();
                clock.advance(Duration.ofDays(1));
            }
            copy.failPut = k -> false;

            SyncReport report = vault.sync();

            List<BackupSet> all = vault.list();
            assertThat(report.copied()).extracting(SetCopy::id).containsExactly(all.get(2).id(), all.get(3).id());
        }
    }

    @Nested
    class Reports {
        @Test
        @DisplayName("placement lists every set with the locations holding it, sizes, verification, and what is "
                + "missing, as text and JSON")
        void placement() throws Exception {
            MemoryRepository down = new MemoryRepository("down");
            PgVault vault = vaultWith(Tier.builder("copy", copy).build(), Tier.builder("down", down).build());
            down.failPut = k -> true;
            BackupSet set = vault.backup();

            PlacementReport report = vault.placement();

            assertThat(report.locations()).containsExactly("primary", "copy", "down");
            Placement p = report.find(set.id()).orElseThrow();
            assertThat(p.copies()).containsOnlyKeys("primary", "copy");
            assertThat(p.copies().get("copy").storedBytes()).isEqualTo(set.storedBytes());
            assertThat(p.copies().get("copy").verifiedAt()).contains(T0);
            assertThat(p.missingOn()).containsExactly("down");
            assertThat(report.render()).contains(set.id().value(), "copy: " + set.storedBytes() + " bytes",
                    "down: MISSING");
            JsonNode json = new ObjectMapper().readTree(report.toJson());
            assertThat(json.path("sets").get(0).path("copies").path("copy").path("storedBytes").asLong())
                    .isEqualTo(set.storedBytes());
            assertThat(json.path("sets").get(0).path("missingOn").get(0).asText()).isEqualTo("down");
        }
    }

    @Nested
    class Configuration {
        @Test
        @DisplayName("duplicate tier names and a tier on the primary repository are reported together")
        void badTiers() {
            assertThatThrownBy(() -> vaultWith(Tier.builder("a", copy).build(), Tier.builder("a",
                    new MemoryRepository("x")).build(), Tier.builder("p", primary).build()))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("tier name 'a' is used twice")
                    .hasMessageContaining("tier p writes to memory:primary, which is already the primary repository");
        }

        @Test
        @DisplayName("a tier name with unsafe characters is refused")
        void badName() {
            assertThatThrownBy(() -> Tier.builder("s3 offsite!", copy).build())
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("A-Z a-z 0-9");
        }
    }
}
