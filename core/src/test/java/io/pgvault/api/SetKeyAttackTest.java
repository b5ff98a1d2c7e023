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

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
