package io.pgvault.api;

import io.pgvault.internal.pipeline.PipelineAccess;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Review of the set-key change (ADR 0003 amendment) from the side of someone who can write the repository but holds
 * neither the passphrase nor the integrity key (ADR 0013).
 */
@DisplayName("Set keys against a repository writer")
class SetKeyAttackTest {
    private final InMemoryRepository repo = new InMemoryRepository();
    private final SetKeyEncryptionTest.ManyObjects strategy = new SetKeyEncryptionTest.ManyObjects();

    private PgVault vault(String passphrase) {
        return PgVault.builder().strategy(strategy).repository(repo).pipeline(options(passphrase))
                .debrisGrace(Duration.ZERO).build();
    }

    private static PipelineOptions options(String passphrase) {
        return PipelineOptions.defaults().withIntegrityKey(TestKeys.INTEGRITY)
                .withEncryption(Encryption.passphrase(Secret.of(passphrase)).withWorkFactor(10));
    }

    /** What an attacker writes: one small unsigned record naming a file of their choice as the set's key file. */
    static String plantedRekey(BackupId id, String replaces, String key, long size, String sha256) {
        return "{\"formatVersion\":1,\"set\":\"" + id + "\",\"kind\":\"rekey\",\"writtenAt\":\"" + Instant.now()
                + "\",\"replaces\":\"" + replaces + "\",\"key\":\"" + key + "\",\"storedBytes\":" + size
                + ",\"storedSha256\":\"" + sha256 + "\",\"logicalBytes\":1,\"logicalSha256\":\"\","
                + "\"ageHeaderSha256\":\"\"}";
    }

    @Test
    @DisplayName("a planted rekey record can deny, never destroy: debris collection (run by every prune) keeps the "
            + "key file the authenticated manifest names, and the set restores once the record is gone")
    void plantedRekeyRecordDoesNotMakePruneDeleteTheKeyFile() throws InterruptedException {
        PgVault vault = vault("correct horse");
        BackupSet set = vault.backup();
        String keyFile = "data/" + set.id() + "/set-key.age";
        String record = "records/" + set.id() + "/rekey-" + UUID.randomUUID() + ".json";
        // write access only: no delete, no passphrase, no integrity key
        repo.objects.put(record, plantedRekey(set.id(), keyFile, "data/" + set.id() + "/set-key-0badc0de.age", 1,
                "0".repeat(64)).getBytes(StandardCharsets.UTF_8));
        Thread.sleep(20); // older than the (zero) debris grace

        vault.prune(io.pgvault.api.retention.RetentionPolicy.keepLast(10),
                io.pgvault.api.retention.PruneMode.EXECUTE);

        assertThat(repo.objects.keySet()).as("the set's only key file, named by its authenticated manifest")
                .contains(keyFile);
        repo.objects.remove(record); // the operator finds and removes the planted record
        vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("x").build());
        assertThat(strategy.restored).hasSize(12);
    }

    @Test
    @DisplayName("rewrapSetKeys re-wraps authenticated sets only: a planted unsigned set whose key file opens with "
            + "the (leaked) old passphrase is not turned into a key file of the new passphrase")
    void rotationDoesNotLaunderForgedSets() {
        // the attacker knows the old passphrase (why the operator rotates) and writes a set of their own
        PipelineOptions old = options("old passphrase");
        BackupId forged = BackupId.of("20260101T000000Z-f0f0f0");
        Secret identity = AgeKeys.generateIdentity();
        String keyFileKey = "data/" + forged + "/set-key.age";
        byte[] keyText = ("# created: 2026-01-01T00:00:00Z\n# public key: " + AgeKeys.recipientOf(identity) + "\n"
                + identity.reveal() + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] keyFile = PipelineAccess.encode(new PipelineOptions(Compression.none(), old.encryption()), keyText);
        repo.objects.put(keyFileKey, keyFile);
        byte[] logical = "DROP TABLE accounts;\n".getBytes(StandardCharsets.UTF_8);
        byte[] stored = PipelineAccess.encode(new PipelineOptions(Compression.none(), Encryption.x25519(identity)),
                logical);
        String objectKey = "data/" + forged + "/o0.sql.age";
        repo.objects.put(objectKey, stored);
        StoredObject keyEntry = new StoredObject("set-key.age", keyFileKey, keyText.length, keyFile.length,
                sha256(keyFile), sha256(keyText), Compression.none(), "age-scrypt", Map.of("role", "age-set-key"));
        StoredObject object = new StoredObject("o0.sql", objectKey, logical.length, stored.length, sha256(stored),
                sha256(logical), Compression.none(), "age-set-key",
                Map.of("ageSetKey", keyFileKey, "ageSetKeySha256", sha256(keyFile)));
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        new Catalog(repo).commit(new BackupSet(forged, strategy.name(), BackupType.LOGICAL, BackupStatus.COMPLETE,
                "app", t, t.plusSeconds(1), Optional.empty(), List.of(keyEntry, object), Map.of(), Optional.empty()));
        BackupSet genuine = vault("old passphrase").backup();

        PgVault rotated = vault("new passphrase");
        assertThat(rotated.find(forged).orElseThrow().authenticity()).isEqualTo(Authenticity.UNSIGNED);
        KeyRotation rotation = rotated.rewrapSetKeys(Secret.of("old passphrase"));

        assertThat(rotation.rewrapped()).contains(genuine.id());
        assertThat(rotation.rewrapped()).as("an unsigned set is nobody's to re-wrap").doesNotContain(forged);
        assertThat(repo.objects.keySet()).as("no key file of the new passphrase for the forged set")
                .noneMatch(k -> k.startsWith("data/" + forged + "/set-key-"));
    }

    @Test
    @DisplayName("a strategy that reads every object of a set (as one written before 0.5.0 may) is never handed the "
            + "set's key file in plaintext: the identity that opens the whole set does not leave the pipeline")
    void readContextDoesNotHandOutTheSetIdentity() {
        BackupSet set = vault("correct horse").backup();
        StoredObject keyFile = set.objects().stream().filter(StoredObject::isSetKey).findFirst().orElseThrow();
        String handedOut;
        try (io.pgvault.internal.DefaultReadContext ctx = new io.pgvault.internal.DefaultReadContext(repo,
                new io.pgvault.internal.pipeline.Pipeline(options("correct horse")), null, null);
                java.io.InputStream in = ctx.openObject(keyFile)) {
            handedOut = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException | IntegrityException refused) {
            handedOut = "";
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThat(handedOut).doesNotContain("AGE-SECRET-KEY-1");
    }

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
