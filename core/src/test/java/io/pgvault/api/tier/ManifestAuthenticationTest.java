package io.pgvault.api.tier;

import io.pgvault.api.AgeKeys;
import io.pgvault.api.Authenticity;
import io.pgvault.api.BackupSet;
import io.pgvault.api.Catalog;
import io.pgvault.api.CatalogScan;
import io.pgvault.api.Encryption;
import io.pgvault.api.Leases;
import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.Secret;
import io.pgvault.api.TestKeys;
import io.pgvault.api.UnauthenticatedSetException;
import io.pgvault.api.VerifyResult;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectWriter;
import io.pgvault.spi.Repository;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Manifests are authenticated with a key the repository does not hold (ADR 0013); what is not proven is refused. */
class ManifestAuthenticationTest {
    private static final Instant T0 = Instant.parse("2026-03-10T02:00:00Z");
    private final MemoryRepository primary = new MemoryRepository("primary");
    private final MemoryRepository copy = new MemoryRepository("copy");
    private final TierTesting.ThreeObjects strategy = new TierTesting.ThreeObjects();
    private final TierTesting.MutableClock clock = new TierTesting.MutableClock(T0);

    private PgVault vault(PipelineOptions options) {
        return PgVault.builder().strategy(strategy).repository(primary).clock(clock).pipeline(options).build();
    }

    private static RestoreRequest restoreOf(BackupSet set) {
        return RestoreRequest.builder().backupId(set.id()).targetDatabase("x").build();
    }

    private String manifest(BackupSet set) {
        return new String(primary.objects.get(Catalog.manifestKey(set.id())), StandardCharsets.UTF_8);
    }

    private void rewrite(BackupSet set, String json) {
        primary.objects.put(Catalog.manifestKey(set.id()), json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("a set signed with the integrity key is listed as authenticated and restores")
    void signedRestores() {
        PgVault vault = vault(TestKeys.SIGNED);
        BackupSet set = vault.backup();

        assertThat(set.authenticity()).isEqualTo(Authenticity.AUTHENTICATED);
        assertThat(vault.list()).extracting(BackupSet::authenticity).containsExactly(Authenticity.AUTHENTICATED);
        assertThat(manifest(set)).contains("\"alg\":\"HMAC-SHA256\"").contains("\"key\":\"integrity-key\"")
                .doesNotContain(TestKeys.INTEGRITY.reveal()).doesNotContain("authenticity");
        vault.restore(restoreOf(set));
        assertThat(strategy.restored).hasSize(3);
    }

    @Test
    @DisplayName("an altered manifest (a digest swapped) is listed as MISMATCH, refused before any object is read, "
            + "and fails verification")
    void alteredRefused() {
        PgVault vault = vault(TestKeys.SIGNED);
        BackupSet set = vault.backup();
        String digest = set.objects().get(0).storedSha256();
        rewrite(set, manifest(set).replace(digest, "0".repeat(64)));
        primary.opened.clear();

        BackupSet listed = vault.find(set.id()).orElseThrow();
        assertThat(listed.authenticity()).isEqualTo(Authenticity.MISMATCH);
        assertThatThrownBy(() -> vault.restore(restoreOf(set))).isInstanceOf(UnauthenticatedSetException.class)
                .hasMessageContaining("altered");
        assertThat(primary.opened).noneMatch(k -> k.startsWith("data/"));
        assertThat(strategy.restored).isEmpty();
        VerifyResult verify = vault.verify(set.id(), false);
        assertThat(verify.problems()).anyMatch(p -> p.contains("fails authentication"));
    }

    @Test
    @DisplayName("a manifest stripped of its MAC, or claiming to be authenticated in its own JSON, is UNSIGNED and "
            + "refused unless the request opts in")
    void strippedRefused() {
        PgVault vault = vault(TestKeys.SIGNED);
        BackupSet set = vault.backup();
        String json = manifest(set);
        String stripped = json.substring(0, json.indexOf(",\"auth\":")) + "}";
        String claiming = stripped.replaceFirst("\"id\" :", "\"authenticity\" : \"AUTHENTICATED\", \"id\" :");
        for (String forged : List.of(stripped, claiming)) {
            rewrite(set, forged);
            assertThat(vault.find(set.id()).orElseThrow().authenticity()).isEqualTo(Authenticity.UNSIGNED);
            assertThatThrownBy(() -> vault.restore(restoreOf(set))).isInstanceOf(UnauthenticatedSetException.class)
                    .hasMessageContaining("unsigned");
        }
        vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("x").allowUnauthenticated(true)
                .build());
        assertThat(strategy.restored).hasSize(3);
    }

    @Test
    @DisplayName("a vault without any key writes unsigned sets; restoring them needs the request's or the vault's "
            + "opt-in")
    void noKeyNeedsOptIn() {
        BackupSet set = vault(PipelineOptions.defaults()).backup();
        assertThat(set.authenticity()).isEqualTo(Authenticity.UNSIGNED);
        assertThat(manifest(set)).doesNotContain("\"auth\"");
        assertThatThrownBy(() -> vault(PipelineOptions.defaults()).restore(restoreOf(set)))
                .isInstanceOf(UnauthenticatedSetException.class);
        PgVault trusting = PgVault.builder().strategy(strategy).repository(primary).clock(clock)
                .acceptUnauthenticated(true).build();
        trusting.restore(restoreOf(set));
        assertThat(strategy.restored).hasSize(3);
        // a vault with a key cannot check nothing: still unsigned, still refused
        assertThatThrownBy(() -> vault(TestKeys.SIGNED).restore(restoreOf(set)))
                .isInstanceOf(UnauthenticatedSetException.class);
    }

    @Test
    @DisplayName("a signed set read by a vault without a key is UNVERIFIED; with another key, MISMATCH")
    void otherKeys() {
        BackupSet set = vault(TestKeys.SIGNED).backup();
        assertThat(vault(PipelineOptions.defaults()).find(set.id()).orElseThrow().authenticity())
                .isEqualTo(Authenticity.UNVERIFIED);
        PipelineOptions other = PipelineOptions.defaults().withIntegrityKey(Secret.of("another-integrity-key-of"
                + "-enough-length-0123"));
        assertThat(vault(other).find(set.id()).orElseThrow().authenticity()).isEqualTo(Authenticity.MISMATCH);
    }

    @Test
    @DisplayName("age X25519: the key derives from the identity; a set forged with only the public recipient is "
            + "not authenticated")
    void x25519() {
        Secret identity = AgeKeys.generateIdentity();
        PipelineOptions keyed = PipelineOptions.defaults().withEncryption(Encryption.x25519(identity));
        BackupSet set = vault(keyed).backup();
        assertThat(vault(keyed).find(set.id()).orElseThrow().authenticity()).isEqualTo(Authenticity.AUTHENTICATED);
        assertThat(manifest(set)).contains("\"key\":\"age-x25519\"").doesNotContain(AgeKeys.recipientOf(identity));

        // the attacker re-signs with a key of their own: a new identity's derived key is not ours
        Secret attacker = AgeKeys.generateIdentity();
        rewrite(set, new String(signedBy(PipelineOptions.defaults().withEncryption(Encryption.x25519(attacker)),
                set), StandardCharsets.UTF_8));
        assertThat(vault(keyed).find(set.id()).orElseThrow().authenticity()).isEqualTo(Authenticity.MISMATCH);
    }

    @Test
    @DisplayName("an authenticated set of age objects with pinned headers is read once by a restore; an unencrypted "
            + "one is checked whole first (twice); an object re-encrypted by an attacker fails at its header")
    void readOnce() {
        Secret identity = AgeKeys.generateIdentity();
        PipelineOptions keyed = PipelineOptions.defaults().withEncryption(Encryption.x25519(identity));
        BackupSet encrypted = vault(keyed).backup();
        assertThat(encrypted.objects()).allSatisfy(o -> assertThat(o.attribute("ageHeaderSha256")).hasSize(64));
        primary.opened.clear();
        vault(keyed).restore(restoreOf(encrypted));
        for (var o : encrypted.objects()) {
            assertThat(primary.opened).filteredOn(o.key()::equals).hasSize(1);
        }

        clock.advance(java.time.Duration.ofHours(1));
        BackupSet plain = vault(TestKeys.SIGNED).backup();
        primary.opened.clear();
        vault(TestKeys.SIGNED).restore(restoreOf(plain));
        for (var o : plain.objects()) {
            assertThat(primary.opened).filteredOn(o.key()::equals).hasSize(2);
        }

        // the attacker encrypts other bytes to the public recipient under the same key: same size is not needed,
        // the header differs, and nothing is decrypted
        var victim = encrypted.objects().get(1);
        byte[] forged = io.pgvault.internal.pipeline.PipelineAccess.encode(
                PipelineOptions.defaults().withEncryption(Encryption.x25519(identity)),
                "DROP TABLE everything;".getBytes(StandardCharsets.UTF_8));
        primary.objects.put(victim.key(), forged);
        strategy.restored.clear();
        assertThatThrownBy(() -> vault(keyed).restore(restoreOf(encrypted)))
                .isInstanceOf(io.pgvault.api.IntegrityException.class)
                .hasMessageContaining("another age header");
        assertThat(strategy.restored).hasSize(1); // the first object, intact; the forged one yielded nothing
    }

    @Test
    @DisplayName("passphrase: one salt per repository (keys/manifest-scrypt.json), one derivation per process; a "
            + "manifest claiming another salt or work factor is refused without deriving; a tampered salt object "
            + "fails every set, closed")
    void passphrase() {
        PipelineOptions keyed = PipelineOptions.defaults().withEncryption(
                Encryption.passphrase(Secret.of("correct horse battery")).withWorkFactor(10));
        PgVault vault = vault(keyed);
        BackupSet first = vault.backup();
        clock.advance(java.time.Duration.ofHours(1));
        BackupSet second = vault.backup();
        String saltDoc = new String(primary.objects.get("keys/manifest-scrypt.json"), StandardCharsets.UTF_8);
        String salt = saltDoc.replaceAll(".*\"salt\":\"([^\"]+)\".*", "$1");
        assertThat(manifest(first)).contains("\"salt\":\"" + salt + "\"");
        assertThat(manifest(second)).contains("\"salt\":\"" + salt + "\"");
        assertThat(vault.list()).extracting(BackupSet::authenticity).containsOnly(Authenticity.AUTHENTICATED);

        rewrite(first, manifest(first).replace("\"logN\":10", "\"logN\":22").replace(salt,
                "AAAAAAAAAAAAAAAAAAAAAA=="));
        long start = System.nanoTime();
        assertThat(vault(keyed).find(first.id()).orElseThrow().authenticity()).isEqualTo(Authenticity.MISMATCH);
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(5));

        primary.objects.put("keys/manifest-scrypt.json", saltDoc.replace("\"logN\":10", "\"logN\":22")
                .getBytes(StandardCharsets.UTF_8));
        start = System.nanoTime();
        assertThat(vault(keyed).list()).extracting(BackupSet::authenticity).containsOnly(Authenticity.MISMATCH);
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(5));
        assertThatThrownBy(() -> vault(keyed).backup()).hasMessageContaining("manifest-scrypt.json");
    }

    @Test
    @DisplayName("passphrase: a deleted salt object is not replaced by a new one while signed manifests exist (that "
            + "would fail every signed set); a weakened one is refused for signing")
    void saltReset() {
        PipelineOptions keyed = PipelineOptions.defaults().withEncryption(
                Encryption.passphrase(Secret.of("correct horse battery")).withWorkFactor(13));
        BackupSet first = vault(keyed).backup();
        byte[] saltDoc = primary.objects.remove("keys/manifest-scrypt.json");
        clock.advance(java.time.Duration.ofHours(1));
        strategy.backups = 0;
        assertThatThrownBy(() -> vault(keyed).backup()).hasMessageContaining("is missing, but");
        assertThat(strategy.backups).as("refused before the strategy ran").isZero();
        assertThat(primary.objects).doesNotContainKey("keys/manifest-scrypt.json");

        primary.objects.put("keys/manifest-scrypt.json", new String(saltDoc, StandardCharsets.UTF_8)
                .replace("\"logN\":13", "\"logN\":10").getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> vault(keyed).backup()).hasMessageContaining("much weaker");

        primary.objects.put("keys/manifest-scrypt.json", saltDoc);
        assertThat(vault(keyed).find(first.id()).orElseThrow().authenticity()).isEqualTo(Authenticity.AUTHENTICATED);
    }

    @Test
    @DisplayName("a manifest copied under another id, with two set members, or larger than the limit is damaged and "
            + "never listed")
    void damaged() {
        PgVault vault = vault(TestKeys.SIGNED);
        BackupSet set = vault.backup();
        String json = manifest(set);
        primary.objects.put("manifests/20260310T020000Z-aaaaaa.json", json.getBytes(StandardCharsets.UTF_8));
        primary.objects.put("manifests/20260310T020000Z-bbbbbb.json", json.replace("\"set\":{",
                "\"set\":{\"id\":\"x\"},\"set\":{").getBytes(StandardCharsets.UTF_8));
        CatalogScan scan = new Catalog(primary, Leases.defaults(), TestKeys.SIGNED).scan();
        assertThat(scan.sets()).extracting(BackupSet::id).containsExactly(set.id());
        assertThat(scan.damaged()).hasSize(2);

        Repository huge = new Huge(primary);
        CatalogScan hugeScan = new Catalog(huge, Leases.defaults(), TestKeys.SIGNED).scan();
        assertThat(hugeScan.sets()).isEmpty();
        assertThat(hugeScan.damaged()).hasSize(3).allSatisfy(d -> assertThat(d.reason()).contains("more than"));
    }

    @Test
    @DisplayName("tiers: an unauthenticated primary set is never copied (a forged primary cannot write a tier) "
            + "unless the vault accepts unauthenticated sets; the tier's manifest is signed with the tier's key")
    void tiers() {
        Secret tierKey = AgeKeys.generateIdentity();
        PipelineOptions tierOptions = PipelineOptions.defaults().withEncryption(Encryption.x25519(tierKey));
        Tier tier = Tier.builder("vault", copy).pipeline(tierOptions).build();
        PgVault plain = PgVault.builder().strategy(strategy).repository(primary).clock(clock).tier(tier).build();
        BackupSet set = plain.backup();
        assertThat(copy.objects.keySet()).noneMatch(k -> k.startsWith("data/") || k.startsWith("manifests/"));
        assertThat(plain.tierHealth()).singleElement().satisfies(h -> assertThat(h.toString())
                .contains("is not copied to tier vault").contains("unsigned"));

        PgVault accepting = PgVault.builder().strategy(strategy).repository(primary).clock(clock).tier(tier)
                .acceptUnauthenticated(true).build();
        accepting.sync();
        List<BackupSet> onTier = new Catalog(copy, Leases.defaults(), tierOptions).list();
        assertThat(onTier).extracting(BackupSet::id).containsExactly(set.id());
        assertThat(onTier.get(0).authenticity()).isEqualTo(Authenticity.AUTHENTICATED);
    }

    @Test
    @DisplayName("tiers: a planted newer manifest on a signing primary does not take a real set's place in a tier's "
            + "retention: the real set is the one copied, and the tier's prune keeps it")
    void plantedSetDoesNotSteerTiers() {
        BackupSet real = vault(TestKeys.SIGNED).backup();
        clock.advance(java.time.Duration.ofHours(1));
        BackupSet planted = vault(PipelineOptions.defaults()).backup();
        Tier tier = Tier.builder("vault", copy).pipeline(TestKeys.SIGNED)
                .retention(io.pgvault.api.retention.RetentionPolicy.keepLast(1)).build();
        PgVault vault = PgVault.builder().strategy(strategy).repository(primary).clock(clock)
                .pipeline(TestKeys.SIGNED).tier(tier).build();

        assertThat(vault.tiering().missing("vault")).extracting(BackupSet::id).containsExactly(real.id());
        vault.sync();
        assertThat(new Catalog(copy, Leases.defaults(), TestKeys.SIGNED).list()).extracting(BackupSet::id)
                .containsExactly(real.id());
        // planted on the tier too: the tier's own prune counts only what it authenticates
        copy.objects.put(Catalog.manifestKey(planted.id()), primary.objects.get(Catalog.manifestKey(planted.id())));
        vault.pruneTiers(io.pgvault.api.retention.PruneMode.EXECUTE);
        assertThat(new Catalog(copy, Leases.defaults(), TestKeys.SIGNED).list()).extracting(BackupSet::id)
                .contains(real.id());
    }

    @Test
    @DisplayName("tiers: an authenticated set whose base is not authenticated is not copied (the tier could not "
            + "restore it); its authenticated neighbours are")
    void setOnUnprovenBaseNotCopied() {
        BackupSet real = vault(TestKeys.SIGNED).backup();
        io.pgvault.api.BackupSet base = new BackupSet(io.pgvault.api.BackupId.of("20260310T010000Z-ba5e00"), "three",
                io.pgvault.api.BackupType.FULL, io.pgvault.api.BackupStatus.COMPLETE, "app", T0.minusSeconds(3600),
                T0.minusSeconds(3500), Optional.empty(), List.of(), java.util.Map.of(), Optional.empty());
        new Catalog(primary, Leases.defaults()).commit(base); // unsigned: planted, or written without a key
        BackupSet incr = new BackupSet(io.pgvault.api.BackupId.of("20260310T010500Z-0ncr00"), "three",
                io.pgvault.api.BackupType.INCR, io.pgvault.api.BackupStatus.COMPLETE, "app", T0.minusSeconds(3000),
                T0.minusSeconds(2900), Optional.of(base.id()), List.of(), java.util.Map.of(), Optional.empty());
        new Catalog(primary, Leases.defaults(), TestKeys.SIGNED).commit(incr);
        Tier tier = Tier.builder("vault", copy).pipeline(TestKeys.SIGNED).build();
        PgVault vault = PgVault.builder().strategy(strategy).repository(primary).clock(clock)
                .pipeline(TestKeys.SIGNED).tier(tier).build();

        assertThat(vault.find(incr.id()).orElseThrow().authenticity()).isEqualTo(Authenticity.AUTHENTICATED);
        assertThat(vault.tiering().missing("vault")).extracting(BackupSet::id).containsExactly(real.id());
    }

    @Test
    @DisplayName("a later unsigned set (planted, or written without a key) never becomes latest() for a vault that "
            + "signs; a vault that accepts unauthenticated sets sees it")
    void latestIsProven() {
        BackupSet signed = vault(TestKeys.SIGNED).backup();
        clock.advance(java.time.Duration.ofHours(1));
        BackupSet unsigned = vault(PipelineOptions.defaults()).backup();

        assertThat(vault(TestKeys.SIGNED).latest()).map(BackupSet::id).contains(signed.id());
        PgVault accepting = PgVault.builder().strategy(strategy).repository(primary).clock(clock)
                .pipeline(TestKeys.SIGNED).acceptUnauthenticated(true).build();
        assertThat(accepting.latest()).map(BackupSet::id).contains(unsigned.id());
    }

    @Test
    @DisplayName("manifests planted as newer cannot make a prune delete real sets: a vault that signs counts and "
            + "deletes only authenticated sets, and one with the wrong key deletes nothing")
    void plantedSetsDoNotDriveRetention() {
        PgVault vault = vault(TestKeys.SIGNED);
        List<BackupSet> real = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            real.add(vault.backup());
            clock.advance(java.time.Duration.ofHours(1));
        }
        clock.advance(java.time.Duration.ofDays(1));
        List<BackupSet> planted = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) { // written by someone without the key: unsigned, and newer
            planted.add(vault(PipelineOptions.defaults()).backup());
            clock.advance(java.time.Duration.ofHours(1));
        }
        io.pgvault.api.retention.RetentionPolicy keepTwo = io.pgvault.api.retention.RetentionPolicy.keepLast(2);

        PgVault wrongKey = vault(PipelineOptions.defaults().withIntegrityKey(
                io.pgvault.api.Secret.of("another integrity key, 0123456789abcdef")));
        assertThat(wrongKey.prune(keepTwo, io.pgvault.api.retention.PruneMode.EXECUTE).removed()).isEmpty();
        io.pgvault.api.retention.PruneReport report = vault.prune(keepTwo, io.pgvault.api.retention.PruneMode.EXECUTE);

        assertThat(report.removed()).extracting(BackupSet::id).containsExactly(real.get(0).id());
        assertThat(vault.list()).extracting(BackupSet::id).contains(real.get(1).id(), real.get(2).id())
                .containsAll(planted.stream().map(BackupSet::id).toList());
        assertThat(report.plan().decision(planted.get(2).id()).orElseThrow().reasons()).singleElement().asString()
                .startsWith(io.pgvault.api.retention.RetentionPlan.UNAUTHENTICATED);
        PgVault accepting = PgVault.builder().strategy(strategy).repository(primary).clock(clock)
                .pipeline(TestKeys.SIGNED).acceptUnauthenticated(true).build();
        assertThat(accepting.planRetention(keepTwo).deleted()).extracting(d -> d.id())
                .as("a vault that accepts unauthenticated sets counts them, as before")
                .containsExactlyInAnyOrder(real.get(1).id(), real.get(2).id(), planted.get(0).id());
    }

    @Test
    @DisplayName("a planted unpin record (unsigned, or with a MAC it cannot have) releases no pin of a vault that "
            + "signs, so retention keeps the set; the vault's own unpin is signed and does; a vault without a key "
            + "honours unpins as before")
    void plantedUnpin() {
        PgVault vault = vault(TestKeys.SIGNED);
        BackupSet old = vault.backup();
        clock.advance(java.time.Duration.ofHours(1));
        vault.backup();
        vault.catalog().pin(old.id(), io.pgvault.api.retention.Pin.forever());
        String prefix = "records/" + old.id().value() + "/";
        String pinName = primary.objects.keySet().stream().filter(k -> k.startsWith(prefix + "pin-"))
                .map(k -> k.substring(prefix.length())).findFirst().orElseThrow();
        String revoke = "\"revokes\":[\"manifest\",\"" + pinName + "\"]";
        primary.objects.put(prefix + "unpin-planted-1.json", ("{\"formatVersion\":1,\"set\":\"" + old.id().value()
                + "\",\"kind\":\"unpin\",\"writtenAt\":\"" + T0 + "\"," + revoke + "}")
                .getBytes(StandardCharsets.UTF_8));
        primary.objects.put(prefix + "unpin-planted-2.json", ("{\"formatVersion\":1,\"set\":\"" + old.id().value()
                + "\",\"kind\":\"unpin\",\"writtenAt\":\"" + T0 + "\"," + revoke + ",\"auth\":{\"alg\":"
                + "\"HMAC-SHA256\",\"key\":\"integrity-key\",\"mac\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}}")
                .getBytes(StandardCharsets.UTF_8));
        io.pgvault.api.retention.RetentionPolicy keepOne = io.pgvault.api.retention.RetentionPolicy.keepLast(1);

        assertThat(vault.catalog().find(old.id()).orElseThrow().attribute(io.pgvault.api.retention.Pin.ATTRIBUTE))
                .as("still pinned").isPresent();
        assertThat(vault.prune(keepOne, io.pgvault.api.retention.PruneMode.EXECUTE).removed()).isEmpty();
        PgVault keyless = PgVault.builder().strategy(strategy).repository(primary).clock(clock)
                .pipeline(PipelineOptions.defaults()).acceptUnauthenticated(true).build();
        assertThat(keyless.catalog().find(old.id()).orElseThrow().attribute(io.pgvault.api.retention.Pin.ATTRIBUTE))
                .as("a reader without a key cannot tell, and honours the unpins").isEmpty();

        vault.catalog().unpin(old.id());
        assertThat(primary.objects.entrySet().stream().filter(e -> e.getKey().startsWith(prefix + "unpin-")
                && !e.getKey().contains("planted")).map(e -> new String(e.getValue(), StandardCharsets.UTF_8)))
                .singleElement().asString().contains("\"auth\"").contains("HMAC-SHA256");
        assertThat(vault.catalog().find(old.id()).orElseThrow().attribute(io.pgvault.api.retention.Pin.ATTRIBUTE))
                .isEmpty();
        assertThat(vault.prune(keepOne, io.pgvault.api.retention.PruneMode.EXECUTE).removed())
                .extracting(BackupSet::id).containsExactly(old.id());
    }

    @Test
    @DisplayName("a vault that signs refuses to execute a plan that counted unauthenticated sets (RetentionPlan.of "
            + "over everything listed): planted sets in it would push real ones out")
    void countingPlanRefused() {
        PgVault vault = vault(TestKeys.SIGNED);
        BackupSet real = vault.backup();
        clock.advance(java.time.Duration.ofHours(1));
        vault(PipelineOptions.defaults()).backup();
        io.pgvault.api.retention.RetentionPlan counting = io.pgvault.api.retention.RetentionPlan.of(
                io.pgvault.api.retention.RetentionPolicy.keepLast(1), vault.list(), clock.instant());
        assertThat(counting.deleted()).extracting(d -> d.id()).containsExactly(real.id());

        assertThatThrownBy(() -> vault.prune(counting, io.pgvault.api.retention.PruneMode.EXECUTE))
                .isInstanceOf(io.pgvault.api.ConfigurationException.class).hasMessageContaining("not authenticated")
                .hasMessageContaining("planRetention");
        assertThat(vault.list()).extracting(BackupSet::id).contains(real.id());
        assertThat(vault.prune(vault.planRetention(io.pgvault.api.retention.RetentionPolicy.keepLast(1)),
                io.pgvault.api.retention.PruneMode.EXECUTE).removed()).isEmpty();
    }

    @Test
    @DisplayName("an unsigned manifest written over a real set's, listing no objects, does not make the set's objects "
            + "debris for a vault that signs")
    void plantedManifestMakesNoDebris() throws Exception {
        PgVault vault = vault(TestKeys.SIGNED);
        BackupSet real = vault.backup();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.node.ObjectNode doc = (com.fasterxml.jackson.databind.node.ObjectNode)
                json.readTree(manifest(real));
        doc.remove("auth");
        ((com.fasterxml.jackson.databind.node.ObjectNode) doc.get("set")).putArray("objects");
        rewrite(real, json.writeValueAsString(doc));
        assertThat(vault.find(real.id()).orElseThrow().authenticity()).isEqualTo(Authenticity.UNSIGNED);

        assertThat(vault.catalog().debris(java.time.Duration.ZERO)).noneMatch(k -> k.startsWith("data/"
                + real.id().value() + "/"));
        PgVault accepting = PgVault.builder().strategy(strategy).repository(primary).clock(clock)
                .pipeline(PipelineOptions.defaults()).acceptUnauthenticated(true).build();
        assertThat(accepting.catalog().debris(java.time.Duration.ZERO)).as("a vault without a key trusts it, as before")
                .anyMatch(k -> k.startsWith("data/" + real.id().value() + "/"));
    }

    @Test
    @DisplayName("right after a vault starts signing, with only older unsigned sets, a restore of the newest says "
            + "which sets are there and how to restore one, instead of 'no backup'")
    void onlyUnsignedSets() {
        BackupSet unsigned = vault(PipelineOptions.defaults()).backup();
        assertThat(vault(TestKeys.SIGNED).latest()).isEmpty();
        assertThatThrownBy(() -> vault(TestKeys.SIGNED).restore(RestoreRequest.builder().targetDatabase("x").build()))
                .isInstanceOf(io.pgvault.api.NotFoundException.class)
                .hasMessageContaining("1 set(s) are not authenticated").hasMessageContaining(unsigned.id().value())
                .hasMessageContaining("allowUnauthenticated");
    }

    @Test
    @DisplayName("a manifest planted on a tier under a primary set's id is not a copy: the sync reports it and the "
            + "set still counts as missing there")
    void plantedOnTier() {
        Tier tier = Tier.builder("vault", copy).build();
        PgVault vault = PgVault.builder().strategy(strategy).repository(primary).clock(clock)
                .pipeline(TestKeys.SIGNED).tier(tier).build();
        PgVault noTier = vault(TestKeys.SIGNED);
        BackupSet set = noTier.backup();
        String json = manifest(set);
        copy.objects.put(Catalog.manifestKey(set.id()), (json.substring(0, json.indexOf(",\"auth\":")) + "}")
                .getBytes(StandardCharsets.UTF_8));

        var report = vault.sync();
        assertThat(report.succeeded()).isFalse();
        assertThat(report.toString()).contains("already holds a manifest");
        assertThat(vault.tiering().awaitingCopy().keeps(noTier.list(), clock.instant()))
                .extracting(io.pgvault.api.retention.Keep::id).contains(set.id());
    }

    private byte[] signedBy(PipelineOptions options, BackupSet set) {
        MemoryRepository scratch = new MemoryRepository("scratch");
        set.objects().forEach(o -> scratch.objects.put(o.key(), primary.objects.get(o.key())));
        new Catalog(scratch, Leases.defaults(), options).commit(set);
        return scratch.objects.get(Catalog.manifestKey(set.id()));
    }

    /** Lists every manifest as 10 GiB and refuses to open one: a scan must not read it. */
    private static final class Huge implements Repository {
        private final Repository delegate;

        Huge(Repository delegate) {
            this.delegate = delegate;
        }

        @Override
        public String id() {
            return "huge";
        }

        @Override
        public ObjectInfo put(String key, ObjectWriter writer) {
            return delegate.put(key, writer);
        }

        @Override
        public InputStream open(String key) {
            if (key.startsWith("manifests/")) {
                throw new AssertionError("a 10 GiB manifest was opened");
            }
            return delegate.open(key);
        }

        @Override
        public Optional<ObjectInfo> stat(String key) {
            return delegate.stat(key);
        }

        @Override
        public List<ObjectInfo> list(String prefix) {
            return delegate.list(prefix).stream().map(i -> i.key().startsWith("manifests/")
                    ? new ObjectInfo(i.key(), 10L << 30, i.lastModified(), Optional.empty()) : i).toList();
        }

        @Override
        public void delete(String key) {
            delegate.delete(key);
        }
    }
}
