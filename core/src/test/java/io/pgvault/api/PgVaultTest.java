package io.pgvault.api;

import io.pgvault.spi.BackupContext;
import io.pgvault.spi.BackupStrategy;
import io.pgvault.spi.ReadContext;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgVaultTest {
    private final InMemoryRepository repo = new InMemoryRepository();
    private final FakeStrategy strategy = new FakeStrategy();

    private PgVault vault(PipelineOptions options) {
        return PgVault.builder().strategy(strategy).repository(repo).pipeline(options).build();
    }

    private PgVault vault() {
        return vault(PipelineOptions.defaults());
    }

    @Nested
    class Backup {
        @Test
        @DisplayName("a committed set is listed with its objects, sizes and digests")
        void committedSetIsListed() {
            BackupSet set = vault().backup();
            assertThat(vault().list()).containsExactly(set);
            assertThat(set.objects()).extracting(StoredObject::name).containsExactly("one.sql", "two.sql");
            assertThat(set.objects().get(0).logicalBytes()).isEqualTo(FakeStrategy.PAYLOAD.length);
            assertThat(set.objects().get(0).storedSha256()).hasSize(64);
            assertThat(repo.objects).containsKey(Catalog.manifestKey(set.id()));
        }

        @Test
        @DisplayName("a strategy that returns while an object is still being written fails the backup; the object "
                + "is not committed as part of a listed set")
        void writeInFlightAtReturn() throws Exception {
            java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            BackupStrategy leaky = new FakeStrategy() {
                @Override
                public io.pgvault.spi.SetFacts backup(BackupContext ctx) {
                    new Thread(() -> ctx.writeObject("late.sql", Map.of(), out -> {
                        writing.countDown();
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        out.write(1);
                    })).start();
                    try {
                        writing.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return io.pgvault.spi.SetFacts.logical("app", Map.of());
                }
            };
            PgVault vault = PgVault.builder().strategy(leaky).repository(repo).build();
            assertThatThrownBy(vault::backup).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("still being written");
            release.countDown();
            assertThat(vault.list()).isEmpty();
        }

        @Test
        @DisplayName("a strategy cannot set core's own attributes (a pin, tier facts)")
        void reservedAttributes() {
            assertThatThrownBy(() -> io.pgvault.spi.SetFacts.logical("app", Map.of("pin.until", "forever")))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pin.until");
            assertThatThrownBy(() -> io.pgvault.spi.SetFacts.logical("app", Map.of("tier.copiedFrom", "x")))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        @DisplayName("the manifest is written after every object")
        void manifestLast() {
            List<String> order = new ArrayList<>();
            InMemoryRepository recording = new InMemoryRepository() {
                @Override
                public io.pgvault.spi.ObjectInfo put(String key, io.pgvault.spi.ObjectWriter writer) {
                    if (!key.startsWith(RepositoryLayout.INTENTS) && !key.startsWith(RepositoryLayout.CLOCK)) {
                        // the writer's claim comes first and goes last; the clock probe reads the store's time
                        order.add(key);
                    }
                    return super.put(key, writer);
                }
            };
            PgVault.builder().strategy(strategy).repository(recording).build().backup();
            assertThat(order).hasSize(3);
            assertThat(order.get(2)).startsWith("manifests/");
        }

        @Test
        @DisplayName("a strategy that fails after writing an object leaves no set and no objects")
        void failureLeavesNothing() {
            strategy.failAfterFirst = true;
            assertThatThrownBy(() -> vault().backup()).hasMessageContaining("dump died");
            assertThat(vault().list()).isEmpty();
            assertThat(repo.objects).isEmpty();
        }

        @Test
        @DisplayName("a producer that throws mid-object leaves no set and no objects")
        void producerFailure() {
            strategy.producerFails = true;
            assertThatThrownBy(() -> vault().backup()).isInstanceOf(RepositoryException.class);
            assertThat(vault().list()).isEmpty();
            assertThat(repo.objects).isEmpty();
        }

        @Test
        @DisplayName("the builder reports every missing setting at once")
        void builderReportsAll() {
            assertThatThrownBy(() -> PgVault.builder().build())
                    .isInstanceOfSatisfying(ConfigurationException.class,
                            e -> assertThat(e.problems()).contains("strategy is required", "repository is required"));
        }
    }

    @Nested
    class Verify {
        @Test
        @DisplayName("an intact set verifies, deep verification runs the strategy's check and is recorded")
        void intact() {
            BackupSet set = vault().backup();
            VerifyResult r = vault().verify(set.id(), true);
            assertThat(r.ok()).isTrue();
            assertThat(strategy.structureChecks).isEqualTo(1);
            assertThat(vault().find(set.id()).orElseThrow().lastVerified()).isPresent();
        }

        @Test
        @DisplayName("a flipped byte is reported and the set is not marked verified")
        void flippedByte() {
            BackupSet set = vault().backup();
            byte[] stored = repo.objects.get(set.objects().get(1).key());
            stored[stored.length / 2] ^= 0x01;
            VerifyResult r = vault().verify(set.id(), true);
            assertThat(r.problems()).singleElement().asString().contains("corrupt").contains("two.sql");
            assertThat(strategy.structureChecks).isZero();
            assertThat(vault().find(set.id()).orElseThrow().lastVerified()).isEmpty();
        }

        @Test
        @DisplayName("a truncated object is reported with its sizes")
        void truncated() {
            BackupSet set = vault().backup();
            String key = set.objects().get(0).key();
            repo.objects.put(key, java.util.Arrays.copyOf(repo.objects.get(key), 10));
            assertThat(vault().verify(set.id(), false).problems()).singleElement().asString()
                    .contains("has 10 bytes");
        }

        @Test
        @DisplayName("verifying an unknown set is NotFoundException")
        void unknown() {
            assertThatThrownBy(() -> vault().verify(BackupId.of("nope"), false)).isInstanceOf(NotFoundException.class);
        }
    }

    @Nested
    class Restore {
        @Test
        @DisplayName("restore streams the decoded objects to the strategy")
        void restores() {
            BackupSet set = vault(PipelineOptions.defaults().withEncryption(
                    Encryption.passphrase(Secret.of("correct horse")).withWorkFactor(10))).backup();
            vault(PipelineOptions.defaults().withEncryption(
                    Encryption.passphrase(Secret.of("correct horse")).withWorkFactor(10)))
                    .restore(RestoreRequest.builder().build());
            assertThat(strategy.restored).containsExactly(new String(FakeStrategy.PAYLOAD, StandardCharsets.UTF_8),
                    new String(FakeStrategy.PAYLOAD, StandardCharsets.UTF_8) + "2");
            assertThat(set.objects()).filteredOn(o -> !o.isSetKey())
                    .allSatisfy(o -> assertThat(o.key()).endsWith(".zst.age"))
                    .allSatisfy(o -> assertThat(o.encryption()).isEqualTo("age-set-key"));
            assertThat(set.objects()).filteredOn(StoredObject::isSetKey).singleElement()
                    .satisfies(k -> assertThat(k.key()).isEqualTo("data/" + set.id() + "/set-key.age"))
                    .satisfies(k -> assertThat(k.encryption()).isEqualTo("age-scrypt"));
        }

        @Test
        @DisplayName("a damaged set is refused before the strategy touches the target")
        void refusesDamaged() {
            BackupSet set = vault().backup();
            byte[] stored = repo.objects.get(set.objects().get(0).key());
            stored[5] ^= 0x40;
            assertThatThrownBy(() -> vault().restore(RestoreRequest.builder().backupId(set.id()).build()))
                    .isInstanceOf(IntegrityException.class);
            assertThat(strategy.restoreCalls).isZero();
        }

        private PipelineOptions signed() {
            return PipelineOptions.defaults().withEncryption(
                    Encryption.passphrase(Secret.of("correct horse")).withWorkFactor(10));
        }

        @Test
        @DisplayName("restore hands every key of the set to the repository's prepareRead before it reads any object "
                + "(an S3 repository retrieves archived objects there)")
        void preparesBeforeReading() {
            List<String> calls = new ArrayList<>();
            InMemoryRepository recording = new InMemoryRepository() {
                @Override
                public void prepareRead(java.util.Collection<String> keys) {
                    calls.add("prepare " + keys);
                }

                @Override
                public InputStream open(String key) {
                    if (key.startsWith(RepositoryLayout.DATA)) {
                        calls.add("open " + key);
                    }
                    return super.open(key);
                }
            };
            PgVault vault = PgVault.builder().strategy(strategy).repository(recording).pipeline(signed()).build();
            BackupSet set = vault.backup();
            calls.clear();
            vault.restore(RestoreRequest.builder().build());
            List<String> keys = set.objects().stream().map(StoredObject::key).toList();
            assertThat(calls).first().isEqualTo("prepare " + keys);
            assertThat(calls).filteredOn(c -> c.startsWith("prepare")).hasSize(1);
            assertThat(calls).filteredOn(c -> c.startsWith("open")).isNotEmpty();
            assertThat(strategy.restored).hasSize(2);
        }

        @Test
        @DisplayName("a repository that cannot make the set readable fails the restore before the strategy runs, "
                + "and the failure is reported as a failed restore")
        void prepareFails() {
            InMemoryRepository archived = new InMemoryRepository() {
                @Override
                public void prepareRead(java.util.Collection<String> keys) {
                    throw new RepositoryException("2 of 2 archived objects still being restored", null);
                }
            };
            List<io.pgvault.api.event.VaultEvent> events = new ArrayList<>();
            PgVault vault = PgVault.builder().strategy(strategy).repository(archived).pipeline(signed())
                    .listener(events::add).build();
            vault.backup();
            assertThatThrownBy(() -> vault.restore(RestoreRequest.builder().build()))
                    .hasMessageContaining("still being restored");
            assertThat(strategy.restoreCalls).isZero();
            assertThat(events).last().isInstanceOf(io.pgvault.api.event.Events.RestoreFailed.class);
        }

        @Test
        @DisplayName("restoring with an empty repository says there is nothing to restore")
        void nothing() {
            assertThatThrownBy(() -> vault().restore(RestoreRequest.builder().build()))
                    .isInstanceOf(NotFoundException.class).hasMessageContaining("no backup set");
        }
    }

    @Nested
    class CatalogBehaviour {
        @Test
        @DisplayName("delete removes the manifest and the objects")
        void delete() {
            BackupSet set = vault().backup();
            vault().catalog().delete(set.id());
            assertThat(repo.objects).isEmpty();
        }

        @Test
        @DisplayName("objects without a manifest are debris that removeDebris clears once old enough, leaving committed sets alone")
        void debris() {
            BackupSet kept = vault().backup();
            repo.objects.put("data/20200101T000000Z-abcdef/x.sql.zst", new byte[] {1, 2});
            assertThat(vault().catalog().removeDebris(java.time.Duration.ofHours(1))).as("too young").isEmpty();
            assertThat(vault().catalog().removeDebris(java.time.Duration.ZERO))
                    .containsExactly("data/20200101T000000Z-abcdef/x.sql.zst");
            assertThat(vault().list()).containsExactly(kept);
        }

        @Test
        @DisplayName("a manifest from a newer format is skipped, not fatal, and other sets still list")
        void newerManifest() {
            BackupSet kept = vault().backup();
            repo.objects.put("manifests/zz.json", "{\"formatVersion\":99,\"set\":{}}".getBytes(StandardCharsets.UTF_8));
            assertThat(vault().list()).containsExactly(kept);
        }

        @Test
        @DisplayName("the manifest is JSON with a format version and round-trips every field")
        void manifestJson() {
            BackupSet set = vault().backup();
            String json = new String(repo.objects.get(Catalog.manifestKey(set.id())), StandardCharsets.UTF_8);
            assertThat(json).contains("\"formatVersion\":1").contains("\"id\" : \"" + set.id() + "\"")
                    .contains("\"strategy\" : \"fake\"");
            assertThat(vault().find(set.id())).contains(set);
        }
    }

    static class FakeStrategy implements BackupStrategy {
        static final byte[] PAYLOAD = "CREATE TABLE t(x int);\n-- done\n".repeat(200).getBytes(StandardCharsets.UTF_8);
        boolean failAfterFirst;
        boolean producerFails;
        int structureChecks;
        int restoreCalls;
        final List<String> restored = new ArrayList<>();

        @Override
        public String name() {
            return "fake";
        }

        @Override
        public io.pgvault.spi.SetFacts backup(BackupContext ctx) {
            List<StoredObject> objects = new ArrayList<>();
            objects.add(ctx.writeObject("one.sql", Map.of("database", "app"), out -> {
                out.write(PAYLOAD);
                if (producerFails) {
                    throw new IOException("pg_dump exited with 1");
                }
            }));
            if (failAfterFirst) {
                throw new IllegalStateException("dump died");
            }
            objects.add(ctx.writeObject("two.sql", Map.of(), out -> {
                out.write(PAYLOAD);
                out.write('2');
            }));
            return new io.pgvault.spi.SetFacts(BackupType.LOGICAL, BackupStatus.COMPLETE, "app", Optional.empty(), Map.of("format", "plain"));
        }

        @Override
        public RestoreResult restore(BackupSet set, RestoreRequest request, ReadContext ctx) {
            restoreCalls++;
            for (StoredObject o : set.objects().stream().filter(o -> !o.isSetKey()).toList()) {
                try (InputStream in = ctx.openObject(o)) {
                    restored.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new RepositoryException("read failed", e);
                }
            }
            return new RestoreResult(set, List.of("app"), Duration.ZERO);
        }

        @Override
        public List<String> verifyStructure(BackupSet set, ReadContext ctx) {
            structureChecks++;
            return List.of();
        }
    }
}
