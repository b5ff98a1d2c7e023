package io.pgvault.api;

import io.pgvault.internal.pipeline.PipelineAccess;
import io.pgvault.spi.BackupContext;
import io.pgvault.spi.BackupStrategy;
import io.pgvault.spi.ReadContext;
import io.pgvault.spi.SetFacts;
import org.junit.jupiter.api.DisplayName;
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

/**
 * Passphrase sets pay one scrypt derivation per set and operation (ADR 0003): the set's objects are encrypted to the
 * set's own age key, stored once in {@code data/<id>/set-key.age}, encrypted with the passphrase.
 */
@DisplayName("Passphrase sets: one key derivation per set")
class SetKeyEncryptionTest {
    private static final int OBJECTS = 12;
    private final InMemoryRepository repo = new InMemoryRepository();
    private final ManyObjects strategy = new ManyObjects();

    private PgVault vault(String passphrase) {
        return PgVault.builder().strategy(strategy).repository(repo).pipeline(options(passphrase)).build();
    }

    private static PipelineOptions options(String passphrase) {
        return PipelineOptions.defaults().withIntegrityKey(TestKeys.INTEGRITY)
                .withEncryption(Encryption.passphrase(Secret.of(passphrase)).withWorkFactor(10));
    }

    @Test
    @DisplayName("backup, deep verify and restore of a 12-object set each derive one key; the set restores intact")
    void oneDerivationPerSetAndOperation() {
        PgVault vault = vault("correct horse");
        long before = PipelineAccess.scryptDerivations();
        BackupSet set = vault.backup();
        long backup = PipelineAccess.scryptDerivations() - before;

        before = PipelineAccess.scryptDerivations();
        assertThat(vault.verify(set.id(), true).ok()).isTrue();
        long verify = PipelineAccess.scryptDerivations() - before;

        before = PipelineAccess.scryptDerivations();
        vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("x").build());
        long restore = PipelineAccess.scryptDerivations() - before;

        assertThat(backup).as("backup").isEqualTo(1);
        assertThat(verify).as("deep verify").isEqualTo(1);
        assertThat(restore).as("restore").isEqualTo(1);
        assertThat(strategy.restored).hasSize(OBJECTS).allSatisfy(s -> assertThat(s).startsWith("object "));
        assertThat(set.objects()).hasSize(OBJECTS + 1);
        StoredObject keyFile = set.objects().get(0);
        assertThat(keyFile.isSetKey()).isTrue();
        assertThat(keyFile.key()).isEqualTo("data/" + set.id() + "/set-key.age");
        assertThat(set.objects().subList(1, OBJECTS + 1)).allSatisfy(o -> {
            assertThat(o.encryption()).isEqualTo("age-set-key");
            assertThat(o.attribute("ageSetKey")).isEqualTo(keyFile.key());
            assertThat(o.attribute("ageSetKeySha256")).isEqualTo(keyFile.storedSha256());
        });
        String stored = new String(repo.objects.get(keyFile.key()), StandardCharsets.ISO_8859_1);
        assertThat(stored).startsWith("age-encryption.org/v1\n-> scrypt ").doesNotContain("AGE-SECRET-KEY");
    }

    @Test
    @DisplayName("a wrong passphrase is a DecryptionException naming the set's key file, and nothing is restored")
    void wrongPassphrase() {
        BackupSet set = vault("correct horse").backup();
        PgVault other = PgVault.builder().strategy(strategy).repository(repo).pipeline(
                PipelineOptions.defaults().withIntegrityKey(TestKeys.INTEGRITY)
                        .withEncryption(Encryption.passphrase(Secret.of("battery staple")).withWorkFactor(10)))
                .build();
        assertThatThrownBy(() -> other.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("x")
                .build())).isInstanceOf(DecryptionException.class)
                .hasMessageContaining("data/" + set.id() + "/set-key.age").hasMessageContaining("wrong passphrase")
                .hasMessageNotContaining("battery").hasMessageNotContaining("corrupt");
        assertThat(strategy.restored).isEmpty();
        assertThat(other.verify(set.id(), true).problems()).singleElement().asString()
                .contains("wrong passphrase");
    }

    @Test
    @DisplayName("a tampered key file is refused before it is decrypted, as damage, not as a wrong passphrase")
    void tamperedKeyFile() {
        PgVault vault = vault("correct horse");
        BackupSet set = vault.backup();
        String key = "data/" + set.id() + "/set-key.age";
        byte[] stored = repo.objects.get(key);
        stored[stored.length - 3] ^= 0x01;

        assertThatThrownBy(() -> vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("x")
                .verifyFirst(false).build())).isInstanceOf(IntegrityException.class)
                .isNotInstanceOf(DecryptionException.class)
                .hasMessageContaining(key).hasMessageContaining("does not match its manifest");
        assertThat(strategy.restored).isEmpty();
        assertThat(vault.verify(set.id(), false).problems()).singleElement().asString().contains(key);
    }

    @Test
    @DisplayName("a manifest whose objects name a key file it does not list is damaged, and is never read as a set")
    void unlistedKeyFileIsDamaged() throws IOException {
        PgVault vault = vault("correct horse");
        BackupSet set = vault.backup();
        String manifestKey = RepositoryLayout.manifestKey(set.id());
        String manifest = new String(repo.objects.get(manifestKey), StandardCharsets.UTF_8);
        // the key file's entry renamed: its objects now point at a file the manifest does not list
        String keyFile = "data/" + set.id() + "/set-key.age";
        assertThat(manifest).contains(keyFile);
        repo.objects.put(manifestKey, manifest.replaceFirst(java.util.regex.Pattern.quote(keyFile),
                "data/" + set.id() + "/other-key.age").getBytes(StandardCharsets.UTF_8));
        assertThat(vault.list()).isEmpty();
    }

    @Test
    @DisplayName("sets written before set keys (one scrypt stanza per object) still restore")
    void legacyPerObjectScrypt() {
        PipelineOptions options = options("correct horse");
        BackupId id = BackupId.of("20260101T000000Z-abcdef");
        List<StoredObject> objects = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] logical = ("object " + i + "\n").repeat(100).getBytes(StandardCharsets.UTF_8);
            byte[] stored = PipelineAccess.encode(options, logical);
            String key = RepositoryLayout.objectKey(id, "o" + i + ".sql", options);
            repo.objects.put(key, stored);
            objects.add(new StoredObject("o" + i + ".sql", key, logical.length, stored.length,
                    sha256(stored),
                    sha256(logical), options.compression(), "age-scrypt",
                    Map.of()));
        }
        java.time.Instant t = java.time.Instant.parse("2026-01-01T00:00:00Z");
        BackupSet legacy = new BackupSet(id, strategy.name(), BackupType.LOGICAL, BackupStatus.COMPLETE, "app", t,
                t.plusSeconds(1), Optional.empty(), objects, Map.of(), Optional.empty());
        new Catalog(repo, Leases.defaults(), options).commit(legacy, () -> { }, () -> true);

        long before = PipelineAccess.scryptDerivations();
        vault("correct horse").restore(RestoreRequest.builder().backupId(id).targetDatabase("x").build());

        assertThat(strategy.restored).containsExactly(("object 0\n").repeat(100), ("object 1\n").repeat(100),
                ("object 2\n").repeat(100));
        assertThat(PipelineAccess.scryptDerivations() - before).as("one per object, as before").isEqualTo(3);
    }

    @Test
    @DisplayName("after the first backup, each next set's key is made between backups: its backup derives nothing, "
            + "every set has a key of its own, and each restores")
    void keysMadeBetweenBackups() {
        PgVault vault = vault("correct horse");
        BackupSet first = vault.backup();
        long before = PipelineAccess.scryptDerivations();
        BackupSet second = vault.backup();
        BackupSet third = vault.backup();
        long onPath = PipelineAccess.scryptDerivations() - before;

        assertThat(onPath).as("derivations during the second and third backups").isZero();
        List<String> keyFiles = List.of(first, second, third).stream()
                .map(s -> s.objects().get(0).storedSha256()).toList();
        assertThat(keyFiles).doesNotHaveDuplicates();
        for (BackupSet s : List.of(first, second, third)) {
            strategy.restored.clear();
            vault.restore(RestoreRequest.builder().backupId(s.id()).targetDatabase("x").build());
            assertThat(strategy.restored).hasSize(OBJECTS);
        }
        // the keys differ, not only their files (a key reused under a new salt would differ in its file only)
        io.pgvault.internal.pipeline.Pipeline reader = new io.pgvault.internal.pipeline.Pipeline(
                options("correct horse"));
        try (io.pgvault.internal.pipeline.DecodeSession session = reader.session(repo::open)) {
            List<String> recipients = List.of(first, second, third).stream()
                    .map(s -> io.pgvault.internal.pipeline.SetEncoder.recipientOf(session,
                            s.objects().get(0).key(), s.objects().get(0).storedSha256())).toList();
            assertThat(recipients).doesNotHaveDuplicates().allSatisfy(r -> assertThat(r).startsWith("age1"));
        }
    }

    @Test
    @DisplayName("an object that names another set's key file is refused before anything is decrypted")
    void anotherSetsKeyFile() {
        PgVault vault = vault("correct horse");
        BackupSet first = vault.backup();
        BackupSet second = vault.backup();
        StoredObject o = second.objects().get(1);
        Map<String, String> attrs = new java.util.HashMap<>(o.attributes());
        attrs.put("ageSetKey", first.objects().get(0).key());
        attrs.put("ageSetKeySha256", first.objects().get(0).storedSha256());
        StoredObject forged = new StoredObject(o.name(), o.key(), o.logicalBytes(), o.storedBytes(),
                o.storedSha256(), o.logicalSha256(), o.compression(), o.encryption(), attrs);
        try (io.pgvault.internal.DefaultReadContext ctx = new io.pgvault.internal.DefaultReadContext(repo,
                new io.pgvault.internal.pipeline.Pipeline(options("correct horse")), null, null)) {
            assertThatThrownBy(() -> ctx.openObject(forged)).isInstanceOf(IntegrityException.class)
                    .hasMessageContaining("of another set");
        }
    }

    @Test
    @DisplayName("rotating the passphrase re-wraps each set's key without touching its objects: the new passphrase "
            + "restores, the old one opens nothing, the old key file is gone, and a rerun changes nothing")
    void rotation() {
        PgVault before = vault("old passphrase");
        BackupSet first = before.backup();
        BackupSet second = before.backup();
        Map<String, byte[]> data = new java.util.HashMap<>();
        repo.objects.forEach((k, v) -> {
            if (k.startsWith("data/") && !k.endsWith("set-key.age")) {
                data.put(k, v.clone());
            }
        });
        PgVault after = vault("new passphrase");

        long derivations = PipelineAccess.scryptDerivations();
        KeyRotation rotation = after.rewrapSetKeys(Secret.of("old passphrase"));
        derivations = PipelineAccess.scryptDerivations() - derivations;

        assertThat(rotation.rewrapped()).containsExactlyInAnyOrder(first.id(), second.id());
        assertThat(rotation.ok()).isTrue();
        assertThat(derivations).as("unwrap, wrap, prove: per set").isEqualTo(6);
        assertThat(repo.objects.keySet()).noneMatch(k -> k.endsWith("/set-key.age"));
        data.forEach((k, v) -> assertThat(repo.objects.get(k)).as(k).isEqualTo(v));

        after.restore(RestoreRequest.builder().backupId(first.id()).targetDatabase("x").build());
        assertThat(strategy.restored).hasSize(OBJECTS);
        assertThat(after.verify(second.id(), true).ok()).isTrue();
        assertThat(after.catalog().debris(Duration.ZERO)).as("the new key files are the sets' own").isEmpty();
        assertThatThrownBy(() -> vault("old passphrase").restore(RestoreRequest.builder().backupId(first.id())
                .targetDatabase("x").build())).isInstanceOf(DecryptionException.class);

        KeyRotation again = after.rewrapSetKeys(Secret.of("old passphrase"));
        assertThat(again.rewrapped()).isEmpty();
        assertThat(again.alreadyCurrent()).containsExactlyInAnyOrder(first.id(), second.id());
    }

    @Test
    @DisplayName("rotation in place is refused without an integrity key (manifests would stop verifying); sets "
            + "written before set keys are reported, not rewritten")
    void rotationNeedsIntegrityKey() {
        PgVault unsigned = PgVault.builder().strategy(strategy).repository(repo).pipeline(PipelineOptions.defaults()
                .withEncryption(Encryption.passphrase(Secret.of("new")).withWorkFactor(10))).build();
        assertThatThrownBy(() -> unsigned.rewrapSetKeys(Secret.of("old"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("integrity key");

        legacyPerObjectScrypt();
        KeyRotation rotation = vault("new passphrase").rewrapSetKeys(Secret.of("correct horse"));
        assertThat(rotation.perObject()).containsExactly(BackupId.of("20260101T000000Z-abcdef"));
        assertThat(rotation.rewrapped()).isEmpty();
    }

    @Test
    @DisplayName("a set neither passphrase opens is reported as failed and left exactly as it was")
    void rotationWithWrongPreviousPassphrase() {
        BackupSet set = vault("old passphrase").backup();
        byte[] keyFile = repo.objects.get("data/" + set.id() + "/set-key.age").clone();
        KeyRotation rotation = vault("new passphrase").rewrapSetKeys(Secret.of("not the old one"));
        assertThat(rotation.failed()).containsOnlyKeys(set.id());
        assertThat(rotation.failed().get(set.id())).contains("neither").doesNotContain("not the old one");
        assertThat(repo.objects.get("data/" + set.id() + "/set-key.age")).isEqualTo(keyFile);
        assertThat(repo.objects.keySet()).noneMatch(k -> k.startsWith("records/"));
        vault("old passphrase").restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("x").build());
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@value #OBJECTS} small objects; restores and verifies by reading every one. */
    static final class ManyObjects implements BackupStrategy {
        final List<String> restored = new ArrayList<>();

        @Override
        public String name() {
            return "many";
        }

        @Override
        public SetFacts backup(BackupContext ctx) {
            for (int i = 0; i < OBJECTS; i++) {
                byte[] bytes = ("object " + i + "\n").repeat(100).getBytes(StandardCharsets.UTF_8);
                ctx.writeObject("o" + i + ".sql", Map.of(), out -> out.write(bytes));
            }
            return new SetFacts(BackupType.LOGICAL, BackupStatus.COMPLETE, "app", Optional.empty(), Map.of());
        }

        @Override
        public RestoreResult restore(BackupSet set, RestoreRequest request, ReadContext ctx) {
            restored.clear();
            readAll(set, ctx).forEach(restored::add);
            return new RestoreResult(set, List.of("app"), Duration.ZERO);
        }

        @Override
        public List<String> verifyStructure(BackupSet set, ReadContext ctx) {
            readAll(set, ctx);
            return List.of();
        }

        private static List<String> readAll(BackupSet set, ReadContext ctx) {
            List<String> out = new ArrayList<>();
            for (StoredObject o : set.objects()) {
                if (o.isSetKey()) {
                    continue;
                }
                try (InputStream in = ctx.openObject(o)) {
                    out.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new RepositoryException("read failed", e);
                }
            }
            return out;
        }
    }
}
