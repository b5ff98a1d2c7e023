package io.pgvault.api.tier;

import io.pgvault.api.Authenticity;
import io.pgvault.api.BackupSet;
import io.pgvault.api.Catalog;
import io.pgvault.api.Encryption;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.Secret;
import io.pgvault.api.StoredObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** A repository writer against tier copies of passphrase sets (ADR 0003 amendment, ADR 0013). */
@DisplayName("Set keys on tiers against a repository writer")
class SetKeyTierAttackTest {
    private static final Instant T0 = Instant.parse("2026-03-10T02:00:00Z");
    private final MemoryRepository primary = new MemoryRepository("primary");
    private final MemoryRepository copy = new MemoryRepository("copy");
    private final TierTesting.ThreeObjects strategy = new TierTesting.ThreeObjects();
    private final TierTesting.MutableClock clock = new TierTesting.MutableClock(T0);
    private final PipelineOptions options = io.pgvault.api.TestKeys.SIGNED
            .withEncryption(Encryption.passphrase(Secret.of("primary passphrase")).withWorkFactor(10));

    @Test
    @DisplayName("an unsigned rekey record planted on the primary does not become part of a signed byte-for-byte "
            + "tier copy: the tier receives the key file the authenticated manifest names")
    void plantedRekeyRecordIsNotCopiedIntoSignedTierManifest() {
        PgVault primaryOnly = PgVault.builder().strategy(strategy).repository(primary).clock(clock)
                .pipeline(options).build();
        BackupSet set = primaryOnly.backup();
        String keyFile = "data/" + set.id() + "/set-key.age";

        // write access to the primary only: a file of the attacker's and a record naming it as the set's key file
        byte[] planted = "not a key\n".getBytes(StandardCharsets.US_ASCII);
        String plantedKey = "data/" + set.id() + "/set-key-0badc0de.age";
        primary.objects.put(plantedKey, planted);
        String record = "records/" + set.id() + "/rekey-" + UUID.randomUUID() + ".json";
        primary.objects.put(record, io.pgvault.api.SetKeyAttackAccess.plantedRekey(set.id(), keyFile, plantedKey,
                planted.length, MemoryRepository.sha256(planted)).getBytes(StandardCharsets.UTF_8));

        PgVault vault = PgVault.builder().strategy(strategy).repository(primary).clock(clock).pipeline(options)
                .tier(Tier.builder("offsite", copy).build()).build();
        vault.sync();

        BackupSet onTier = new Catalog(copy, io.pgvault.api.Leases.defaults(), options).find(set.id()).orElseThrow();
        assertThat(onTier.authenticity()).isEqualTo(Authenticity.AUTHENTICATED);
        assertThat(onTier.objects()).filteredOn(StoredObject::isSetKey).extracting(StoredObject::key)
                .as("the tier's signed manifest names the genuine key file").containsExactly(keyFile);

        // the primary is lost (the reason for tiers): the tier's copy alone must restore
        primary.objects.clear();
        vault.onTier("offsite").restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("x").build());
        assertThat(strategy.restored).hasSize(3);
    }
}
