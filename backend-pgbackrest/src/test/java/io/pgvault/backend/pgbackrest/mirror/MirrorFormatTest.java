package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.BackupType;
import io.pgvault.api.DecryptionException;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.Secret;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The mirror's records (format 2 written, format 1 still read), pgBackRest's cipher as {@code openssl enc} writes it,
 * the files a manifest says a set has, and holes in mirrored WAL.
 */
class MirrorFormatTest {
    private static final String SHA = "0".repeat(63) + "1";

    private static final String MANIFEST = """
            [backup]
            backup-bundle=true
            backup-label="20261201-010101F_20261202-020202D"
            backup-type="diff"

            [backup:option]
            option-compress-type="zst"

            [target:file]
            pg_data/PG_VERSION={"reference":"20261201-010101F","size":3,"timestamp":1}
            pg_data/base/1/1234={"bni":1,"bno":0,"size":8192,"timestamp":1}
            pg_data/base/1/1235={"bni":1,"bno":100,"size":8192,"timestamp":1}
            pg_data/base/1/big={"size":999999999,"timestamp":1}
            pg_data/base/1/empty={"size":0,"timestamp":1}
            pg_data/base/1/empty_ref={"reference":"20261201-010101F","size":0,"timestamp":1}
            pg_data/odd=name.conf={"size":12,"timestamp":1}
            pg_data/global/pg_control={"reference":"20261201-010101F","bni":2,"size":8192,"timestamp":1}
            """;

    @Test
    @DisplayName("a manifest's files: bundles once, references in the referenced set, compression extension, "
            + "zero-length files never required, '=' in a name read as pgBackRest reads it; another label is refused")
    void expectedFiles() {
        RepoFiles.Expected e = RepoFiles.expectedFiles(new ByteArrayInputStream(bytes(MANIFEST)), Optional.empty(),
                "main", "20261201-010101F_20261202-020202D");
        assertThat(e.paths()).containsExactlyInAnyOrder(
                "backup/main/20261201-010101F/pg_data/PG_VERSION.zst",
                "backup/main/20261201-010101F_20261202-020202D/pg_data/base/1/big.zst",
                "backup/main/20261201-010101F_20261202-020202D/pg_data/odd=name.conf.zst",
                "backup/main/20261201-010101F_20261202-020202D/bundle/1",
                "backup/main/20261201-010101F/bundle/2");
        assertThat(e.manifestSha256()).hasSize(64);
        assertThatThrownBy(() -> RepoFiles.expectedFiles(new ByteArrayInputStream(bytes(MANIFEST)), Optional.empty(),
                "main", "20261203-030303F")).isInstanceOf(IntegrityException.class).hasMessageContaining("another set");
        assertThat(RepoFiles.separator("pg_data/a=b={\"size\":1}")).isEqualTo("pg_data/a=b".length());
        assertThat(RepoFiles.separator("key=\"v=w\"")).isEqualTo(3);
    }

    @Test
    @DisplayName("pgBackRest's cipher is openssl enc -aes-256-cbc -md sha1: decrypted with the right passphrase, "
            + "refused with a wrong one or without the Salted__ header")
    void decryptsWhatOpensslEncrypts(@TempDir Path dir) throws Exception {
        Path plain = dir.resolve("manifest");
        Files.writeString(plain, MANIFEST);
        Path enc = dir.resolve("manifest.enc");
        Path passFile = dir.resolve("pass");
        Files.writeString(passFile, "sub passphrase 64 chars or anything");
        Process p = new ProcessBuilder("openssl", "enc", "-aes-256-cbc", "-md", "sha1", "-salt", "-in",
                plain.toString(), "-out", enc.toString(), "-pass", "file:" + passFile).redirectErrorStream(true)
                .start();
        assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        byte[] cipher = Files.readAllBytes(enc);
        assertThat(RepoFiles.decrypt(cipher, Optional.of("sub passphrase 64 chars or anything"), "manifest"))
                .isEqualTo(bytes(MANIFEST));
        assertThat(RepoFiles.expectedFiles(new ByteArrayInputStream(cipher),
                Optional.of("sub passphrase 64 chars or anything"), "main", "20261201-010101F_20261202-020202D")
                .paths()).hasSize(5);
        assertThatThrownBy(() -> RepoFiles.decrypt(cipher, Optional.of("wrong"), "manifest"))
                .isInstanceOf(DecryptionException.class);
        assertThatThrownBy(() -> RepoFiles.decrypt(bytes(MANIFEST), Optional.of("x"), "manifest"))
                .isInstanceOf(DecryptionException.class).hasMessageContaining("Salted__");
    }

    @Test
    @DisplayName("backup.info's sub-passphrase is read and fingerprinted one way; a different one differs")
    void subPass() {
        String info = "[backrest]\nbackrest-format=5\n\n[cipher]\ncipher-pass=\"abc123\"\n\n[db]\ndb-id=1\n";
        assertThat(RepoFiles.subPass(bytes(info), Optional.empty())).isEmpty();
        // unencrypted repositories never read it; an encrypted one must be ciphertext
        assertThatThrownBy(() -> RepoFiles.subPass(bytes(info), Optional.of(Secret.of("pass"))))
                .isInstanceOf(DecryptionException.class);
        assertThat(RepoFiles.fingerprint("abc123")).hasSize(32).isNotEqualTo(RepoFiles.fingerprint("abc124"))
                .doesNotContain("abc123");
    }

    @Test
    @DisplayName("holes in mirrored WAL: within a timeline, any segment size; a new timeline or the next log file is "
            + "no hole")
    void gaps() {
        String dir = "archive/main/15-1/0000000100000000/";
        List<String> contiguous = List.of(dir + "000000010000000000000003-" + "a".repeat(40) + ".zst",
                dir + "000000010000000000000004-" + "b".repeat(40) + ".zst",
                "archive/main/15-1/0000000100000001/000000010000000100000000-" + "c".repeat(40) + ".zst",
                "archive/main/15-1/0000000200000001/000000020000000100000005-" + "d".repeat(40) + ".zst",
                dir + "000000010000000000000003.00000028.backup", "archive/main/15-1/00000002.history");
        assertThat(SourceLayout.gaps(contiguous)).isEmpty();
        List<String> holed = List.of(dir + "000000010000000000000003-" + "a".repeat(40) + ".zst",
                dir + "000000010000000000000007-" + "b".repeat(40) + ".zst");
        assertThat(SourceLayout.gaps(holed)).singleElement().asString().contains("000000010000000000000003")
                .contains("000000010000000000000007");
        assertThat(SourceLayout.missingForConsistency(contiguous, "000000010000000000000003",
                "000000010000000100000000")).isEmpty();
        assertThat(SourceLayout.missingForConsistency(holed, "000000010000000000000003",
                "000000010000000000000007")).hasValueSatisfying(w -> assertThat(w).contains("missing"));
        assertThat(SourceLayout.missingForConsistency(holed, "000000010000000000000003",
                "000000010000000000000008")).hasValueSatisfying(w -> assertThat(w).contains("000000010000000000000008"));
    }

    @Test
    @DisplayName("a format-2 record round-trips with keys, info and incarnation; a format-1 record is read with "
            + "repo/ keys and no info of its own; a record renamed to another label is refused")
    void records() {
        MirroredFile data = new MirroredFile("backup/main/20261201-010101F/backup.manifest", 10, SHA);
        MirroredFile blob = new MirroredFile("archive/main/15-1/00000002.history", 5, SHA, "blobs/main/" + SHA);
        MirroredFile info = new MirroredFile("backup/main/backup.info", 7, SHA, "snapshots/main/" + SHA);
        MirroredSet s = new MirroredSet("main", "20261201-010101F", BackupType.FULL, Optional.empty(), List.of(),
                Instant.parse("2026-12-01T01:01:01Z"), Instant.parse("2026-12-01T01:02:01Z"), "15-1",
                "000000010000000000000002", "000000010000000000000002", WalPolicy.PITR, "aes-256-cbc",
                List.of(data), List.of(blob), Instant.parse("2026-12-01T02:00:00Z"), Optional.empty(),
                Optional.of("7000000000000000001"), Optional.of("ab".repeat(16)), List.of(info), true);
        MirroredSet back = ManifestCodec.readSet(ManifestCodec.write(s), "k");
        assertThat(back).isEqualTo(s);
        assertThat(back.incarnation()).isEqualTo("7000000000000000001/" + "ab".repeat(16));
        assertThat(back.toBackupSet("pgbackrest/").objects()).extracting(o -> o.key())
                .contains("pgbackrest/blobs/main/" + SHA, "pgbackrest/snapshots/main/" + SHA);
        assertThat(back.toBackupSet("p/").attributes()).containsEntry("pgbackrest.error", "true");

        String legacy = """
                {"format":1,"kind":"pgbackrest-mirror-set","stanza":"main","label":"20261101-010101F","type":"FULL",
                 "references":[],"startedAt":"2026-11-01T01:01:01Z","stoppedAt":"2026-11-01T01:02:01Z",
                 "archiveId":"15-1","walStart":"000000010000000000000002","walStop":"000000010000000000000002",
                 "walPolicy":"CONSISTENCY","cipher":"none","mirroredAt":"2026-11-01T02:00:00Z",
                 "files":[{"path":"backup/main/20261101-010101F/backup.manifest","size":10,"sha256":"%s"}],
                 "wal":[]}""".formatted(SHA);
        MirroredSet old = ManifestCodec.readSet(bytes(legacy), "k");
        assertThat(old.files().get(0).key()).isEqualTo("repo/backup/main/20261101-010101F/backup.manifest");
        assertThat(old.info()).isEmpty();
        assertThat(old.incarnation()).isEqualTo("legacy");
        assertThatThrownBy(() -> ManifestCodec.readSet(bytes(legacy.replace("\"format\":1", "\"format\":3")), "k"))
                .isInstanceOf(IntegrityException.class);
        assertThatThrownBy(() -> new MirroredFile("backup/x", 1, SHA, "../../etc/passwd"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MirroredFile("../x", 1, SHA)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("a record naming another stanza's blob, or a repo key that is not its path, is refused on listing")
    void forgedKeys(@TempDir Path dir) {
        io.pgvault.storage.local.LocalRepository repo = io.pgvault.storage.local.LocalRepository.at(dir);
        PgBackRestMirror mirror = PgBackRestMirror.builder("main").tier(io.pgvault.api.tier.Tier.builder("drive",
                repo).build()).build();
        MirroredFile info = new MirroredFile("backup/main/backup.info", 7, SHA, "snapshots/main/" + SHA);
        for (MirroredFile forged : List.of(
                new MirroredFile("archive/main/15-1/00000002.history", 5, SHA, "blobs/other/" + SHA),
                new MirroredFile("archive/main/15-1/00000002.history", 5, SHA, "repo/backup/other/x/backup.info"))) {
            MirroredSet s = new MirroredSet("main", "20261201-010101F", BackupType.FULL, Optional.empty(), List.of(),
                    Instant.parse("2026-12-01T01:01:01Z"), Instant.parse("2026-12-01T01:02:01Z"), "15-1",
                    "000000010000000000000002", "000000010000000000000002", WalPolicy.CONSISTENCY, "none",
                    List.of(), List.of(forged), Instant.parse("2026-12-01T02:00:00Z"), Optional.empty(),
                    Optional.of("7000000000000000001"), Optional.empty(), List.of(info), false);
            byte[] json = ManifestCodec.write(s);
            repo.put("pgbackrest/sets/main/20261201-010101F.json", out -> out.write(json));
            assertThatThrownBy(mirror::holdings).isInstanceOf(IntegrityException.class)
                    .hasMessageContaining("forged");
        }
    }

    @Test
    @DisplayName("a set mirrored before 0.2.0 joins a newer set only as its base; unrelated, the two are refused "
            + "together")
    void legacyIncarnation(@TempDir Path dir) {
        io.pgvault.storage.local.LocalRepository repo = io.pgvault.storage.local.LocalRepository.at(dir.resolve("m"));
        PgBackRestMirror mirror = PgBackRestMirror.builder("main").tier(io.pgvault.api.tier.Tier.builder("drive",
                repo).build()).build();
        String legacy = """
                {"format":1,"kind":"pgbackrest-mirror-set","stanza":"main","label":"20261101-010101F","type":"FULL",
                 "references":[],"startedAt":"2026-11-01T01:01:01Z","stoppedAt":"2026-11-01T01:02:01Z",
                 "archiveId":"15-1","walStart":"000000010000000000000002","walStop":"000000010000000000000002",
                 "walPolicy":"CONSISTENCY","cipher":"none","mirroredAt":"2026-11-01T02:00:00Z",
                 "files":[{"path":"backup/main/20261101-010101F/backup.manifest","size":10,"sha256":"%s"}],
                 "wal":[]}""".formatted(SHA);
        repo.put("pgbackrest/sets/main/20261101-010101F.json", out -> out.write(bytes(legacy)));
        MirroredFile info = new MirroredFile("backup/main/backup.info", 7, SHA, "snapshots/main/" + SHA);
        for (String[] set : List.of(new String[] {"20261201-010101F", null},
                new String[] {"20261101-010101F_20261202-010101D", "20261101-010101F"})) {
            MirroredSet s = new MirroredSet("main", set[0], set[1] == null ? BackupType.FULL : BackupType.DIFF,
                    Optional.ofNullable(set[1]), set[1] == null ? List.of() : List.of(set[1]),
                    Instant.parse("2026-12-01T01:01:01Z"), Instant.parse("2026-12-01T01:02:01Z"), "15-1",
                    "000000010000000000000004", "000000010000000000000004", WalPolicy.CONSISTENCY, "none",
                    List.of(), List.of(), Instant.parse("2026-12-01T02:00:00Z"), Optional.empty(),
                    Optional.of("7000000000000000001"), Optional.empty(), List.of(info), false);
            byte[] json = ManifestCodec.write(s);
            repo.put("pgbackrest/sets/main/" + set[0] + ".json", out -> out.write(json));
        }
        assertThatThrownBy(() -> mirror.materialize(dir.resolve("a"), List.of(io.pgvault.api.BackupId.of(
                "20261101-010101F"), io.pgvault.api.BackupId.of("20261201-010101F"))))
                .isInstanceOf(io.pgvault.api.ConfigurationException.class).hasMessageContaining("incarnations");
        // the DIFF on the legacy full passes the incarnation check and fails only on the absent objects
        assertThatThrownBy(() -> mirror.materialize(dir.resolve("b"), List.of(io.pgvault.api.BackupId.of(
                "20261101-010101F_20261202-010101D")))).isInstanceOf(IntegrityException.class)
                .hasMessageContaining("lacks");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
