package io.pgvault.examples.deployments;

import io.pgvault.api.AgeKeys;
import io.pgvault.api.BackupSet;
import io.pgvault.api.DecryptionException;
import io.pgvault.api.Encryption;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.Secret;
import io.pgvault.api.tier.SyncReport;
import io.pgvault.api.tier.Tier;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.spi.Repository;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.testkit.PostgresCluster;
import io.pgvault.testkit.PostgresFixture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The procedure of docs/runbooks/rotating-keys.md, against a real PostgreSQL: sets written with the old age key are
 * re-encrypted to the new key by a vault on the old location with the new location as a re-encoding tier; afterwards
 * the new key alone restores every set, and the old key opens nothing in the new location.
 */
class RotateKeysIT {
    @RegisterExtension
    static final PostgresFixture PG = PostgresFixture.create();

    @TempDir
    Path dir;

    @Test
    @DisplayName("rotate the age key: old sets need the old key; re-encrypted into a new location they restore with "
            + "the new key alone, and the old key opens none of them")
    void rotateAgeKey() {
        PostgresCluster cluster = PG.cluster();
        cluster.createDatabase("ledger");
        cluster.psql("ledger", "CREATE TABLE entries (id int PRIMARY KEY, amount numeric); "
                + "INSERT INTO entries SELECT g, g FROM generate_series(1, 500) g");
        PgDumpStrategy strategy = new PgDumpStrategy(PgDumpConfig.builder()
                .connection(cluster.connection("ledger")).build());
        Secret oldKey = AgeKeys.generateIdentity();
        Secret newKey = AgeKeys.generateIdentity();
        Repository oldLocation = LocalRepository.at(dir.resolve("pg"));
        Repository newLocation = LocalRepository.at(dir.resolve("pg-2027"));

        PgVault before = vault(strategy, oldLocation, oldKey);
        BackupSet first = before.backup();
        BackupSet second = before.backup();

        // the new key does not open what the old key wrote: the manifest's MAC (derived from the old identity) does
        // not verify, so nothing is even read; with the opt-in, decryption fails
        assertThatThrownBy(() -> vault(strategy, oldLocation, newKey).restore(RestoreRequest.builder()
                .backupId(first.id()).targetDatabase("ledger_wrong").build()))
                .isInstanceOf(io.pgvault.api.UnauthenticatedSetException.class).hasMessageContaining("does not verify");
        assertThatThrownBy(() -> vault(strategy, oldLocation, newKey).restore(RestoreRequest.builder()
                .backupId(first.id()).targetDatabase("ledger_wrong").allowUnauthenticated(true).build()))
                .isInstanceOf(DecryptionException.class).hasMessageContaining("does not open it");
        assertThat(cluster.databaseExists("ledger_wrong")).isFalse();

        // step 2 of the runbook: the old location as primary (old key), the new one as a tier with the new key
        PgVault rekey = PgVault.builder().strategy(strategy).repository(oldLocation)
                .pipeline(PipelineOptions.defaults().withEncryption(Encryption.x25519(oldKey)))
                .tier(Tier.builder("rekeyed", newLocation)
                        .pipeline(PipelineOptions.defaults().withEncryption(Encryption.x25519(newKey))).build())
                .build();
        SyncReport sync = rekey.sync();
        assertThat(sync.succeeded()).as(sync.render()).isTrue();
        assertThat(sync.copied()).hasSize(2);

        // step 3: the new location with the new key alone
        PgVault after = vault(strategy, newLocation, newKey);
        assertThat(after.list()).extracting(BackupSet::id).containsExactly(first.id(), second.id());
        for (BackupSet set : after.list()) {
            assertThat(after.verify(set.id(), true).problems()).isEmpty();
            assertThat(set.objects()).allSatisfy(o -> assertThat(o.encryption()).isEqualTo("age-x25519"));
        }
        after.restore(RestoreRequest.builder().backupId(first.id()).targetDatabase("ledger_rotated").build());
        assertThat(cluster.queryValue("ledger_rotated", "SELECT count(*) FROM entries")).isEqualTo("500");
        cluster.dropDatabase("ledger_rotated");

        // the old key opens nothing in the new location; new backups go there with the new key
        // (its manifests do not verify with it: a deep verification stops there, before decoding anything)
        assertThat(vault(strategy, newLocation, oldKey).verify(second.id(), true).problems())
                .singleElement().asString().contains("fails authentication");
        assertThat(after.list()).extracting(BackupSet::authenticity).containsOnly(io.pgvault.api.Authenticity
                .AUTHENTICATED); // the tier re-signed every copy with the new key
        BackupSet third = after.backup();
        assertThat(after.list()).extracting(BackupSet::id).containsExactly(first.id(), second.id(), third.id());
        assertThat(List.of(first.logicalBytes(), second.logicalBytes())).containsExactly(
                after.find(first.id()).orElseThrow().logicalBytes(), after.find(second.id()).orElseThrow()
                        .logicalBytes());
    }

    private static PgVault vault(PgDumpStrategy strategy, Repository repository, Secret key) {
        return PgVault.builder().strategy(strategy).repository(repository)
                .pipeline(PipelineOptions.defaults().withEncryption(Encryption.x25519(key))).build();
    }
}
