package io.pgvault.backend.pgbackrest.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgvault.api.DecryptionException;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.Secret;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads pgBackRest's own small files the way pgBackRest does, so the mirror can check what it copies without running
 * pgBackRest: the block cipher ({@code aes-256-cbc}, OpenSSL's {@code Salted__} header, key and IV from
 * {@code EVP_BytesToKey} with SHA-1 and one round: {@code src/common/crypto/cipherBlock.c}), the INI layout of info
 * files and manifests ({@code src/info/info.c}), the cipher sub-passphrase {@code backup.info} carries for the sets'
 * files, and the files a set's {@code backup.manifest} says the repository holds ({@code src/info/manifest.c},
 * {@code src/command/backup/backup.c}, 2.33 to 2.59).
 */
final class RepoFiles {
    private static final byte[] MAGIC = "Salted__".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Info files stay small (a few KiB per set); a larger one is not pgBackRest's. */
    static final int MAX_INFO_BYTES = 32 * 1024 * 1024;

    private RepoFiles() {
    }

    /** Reads a whole small file of the source, refusing one larger than {@code max}. */
    static byte[] read(SourceRepo source, String path, int max) {
        try (InputStream in = source.open(path)) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw new IntegrityException(path + " in " + source.id() + " is larger than " + max + " bytes: not a "
                        + "pgBackRest info file or manifest");
            }
            return bytes;
        } catch (IOException e) {
            throw new io.pgvault.api.RepositoryException("cannot read " + path + " from " + source.id() + ": " + e, e);
        }
    }

    /**
     * @param data bytes as pgBackRest stored them
     * @param pass the passphrase they were encrypted with; empty when the repository is not encrypted
     * @param what what the bytes are, for messages
     * @return the plain bytes
     * @throws DecryptionException when the bytes are not pgBackRest ciphertext or the passphrase is wrong
     */
    static byte[] decrypt(byte[] data, Optional<String> pass, String what) {
        try (InputStream in = decrypting(new java.io.ByteArrayInputStream(data), pass, what)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new DecryptionException("cannot decrypt " + what + ": wrong cipher passphrase, or the file is "
                    + "damaged", e);
        }
    }

    /** OpenSSL's EVP_BytesToKey with SHA-1, one round, for a 32-byte key and a 16-byte IV. */
    private static byte[] bytesToKey(byte[] pass, byte[] salt) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] out = new byte[48];
            byte[] prev = new byte[0];
            int have = 0;
            while (have < out.length) {
                sha1.reset();
                sha1.update(prev);
                sha1.update(pass);
                sha1.update(salt);
                prev = sha1.digest();
                int n = Math.min(prev.length, out.length - have);
                System.arraycopy(prev, 0, out, have, n);
                have += n;
            }
            Arrays.fill(pass, (byte) 0);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One {@code key=value} line of an info file or manifest, with its section. */
    @FunctionalInterface
    interface Entry {
        void accept(String section, String key, String value);
    }

    /**
     * Reads pgBackRest's INI layout line by line: {@code [section]} headers and {@code key=value} lines, the key ending
     * at the first {@code =} whose remainder is JSON ({@link #separator}). A line of anything else means the file is
     * not pgBackRest's, or was decrypted with the wrong passphrase; the line itself is never quoted (it may be noise
     * or a secret).
     */
    static void scan(InputStream plain, String what, Entry entry) throws IOException {
        java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(plain,
                StandardCharsets.UTF_8), 64 * 1024);
        String section = null;
        long count = 0;
        for (String line; (line = r.readLine()) != null; ) {
            if (++count > 50_000_000L) {
                throw new IntegrityException(what + " has too many lines to be pgBackRest's");
            }
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1);
                continue;
            }
            int eq = separator(line);
            if (section == null || eq <= 0) {
                throw new IntegrityException(what + " is not pgBackRest's (it could not be decrypted with the "
                        + "repository's passphrase, or it is damaged)");
            }
            entry.accept(section, line.substring(0, eq), line.substring(eq + 1));
        }
    }

    private static JsonNode json(String raw, String what) {
        try {
            return JSON.readTree(raw);
        } catch (IOException e) {
            throw new IntegrityException(what + " holds a value that is not JSON: " + e.getMessage(), e);
        }
    }

    /**
     * @param backupInfo {@code backup.info} as stored
     * @param repoPass   the repository's {@code repoN-cipher-pass}; empty when it is not encrypted
     * @return the sub-passphrase the sets' files are encrypted with (empty for an unencrypted repository)
     */
    static Optional<String> subPass(byte[] backupInfo, Optional<Secret> repoPass) {
        if (repoPass.isEmpty()) {
            return Optional.empty();
        }
        String[] raw = new String[1];
        try {
            scan(new java.io.ByteArrayInputStream(decrypt(backupInfo, repoPass.map(Secret::reveal), "backup.info")),
                    "backup.info", (section, key, value) -> {
                        if (section.equals("cipher") && key.equals("cipher-pass")) {
                            raw[0] = value;
                        }
                    });
        } catch (IOException e) {
            throw new IllegalStateException(e); // reading memory
        }
        if (raw[0] == null) {
            throw new IntegrityException("backup.info has no [cipher] cipher-pass although the repository is "
                    + "configured with a cipher passphrase");
        }
        return Optional.of(json(raw[0], "backup.info").asText());
    }

    /**
     * A fingerprint of the sub-passphrase that cannot be turned back into it (the sub-passphrase is 64 random
     * characters pgBackRest generated): two sets whose fingerprints differ come from different repositories (or a
     * stanza created again) and cannot share one materialized repository.
     */
    static String fingerprint(String subPass) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update("pgvault mirror cipher fingerprint\0".getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(md.digest(subPass.getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The repository files a set's manifest says exist, relative to the repository root: each file of
     * {@code [target:file]} lives in its own set's directory or in the one its {@code reference} names, either in a
     * bundle ({@code bni}) or as {@code <name><compress ext>}; zero-length files outside bundles are not required (a
     * bundled set never stores them, and restore creates every zero-length file from the manifest).
     * The manifest is streamed (it lists every file of the cluster), and the SHA-256 of its stored bytes is returned
     * with the list so the caller can tie it to the copy it made.
     *
     * @param manifest the set's {@code backup.manifest} as stored; closed
     * @param subPass  the sets' sub-passphrase; empty for an unencrypted repository
     * @param stanza   the stanza
     * @param label    the set's label
     * @return the paths, e.g. {@code backup/main/20261121-101010F/pg_data/PG_VERSION.zst}, and the digest
     */
    static Expected expectedFiles(InputStream manifest, Optional<String> subPass, String stanza, String label) {
        String what = "backup.manifest of " + label;
        MessageDigest md = Digests.sha256();
        List<String> out = new ArrayList<>();
        java.util.Set<String> bundles = new java.util.TreeSet<>();
        Map<String, String> option = new LinkedHashMap<>();
        List<String[]> files = new ArrayList<>();
        String[] manifestLabel = new String[1];
        try (InputStream raw = new java.security.DigestInputStream(manifest, md)) {
            scan(decrypting(raw, subPass, what), what, (section, key, value) -> {
                switch (section) {
                    case "backup" -> {
                        if (key.equals("backup-label")) {
                            manifestLabel[0] = json(value, what).asText();
                        }
                    }
                    case "backup:option" -> option.put(key, value);
                    case "target:file" -> {
                        files.add(new String[] {key, value});
                        if (files.size() == 100_000) {
                            resolve(files, option, stanza, label, what, out, bundles);
                        }
                    }
                    default -> { }
                }
            });
            while (raw.read() >= 0) {
                // the digest covers every stored byte, padding included
            }
        } catch (IOException e) {
            throw new IntegrityException("cannot read " + what + ": " + e.getMessage()
                    + " (a wrong cipher passphrase, or a damaged file)", e);
        }
        if (manifestLabel[0] == null || !manifestLabel[0].equals(label)) {
            throw new IntegrityException(what + " names " + (manifestLabel[0] == null ? "no set" : "another set, "
                    + manifestLabel[0]));
        }
        if (files.isEmpty() && out.isEmpty() && bundles.isEmpty()) {
            throw new IntegrityException(what + " lists no file");
        }
        resolve(files, option, stanza, label, what, out, bundles);
        out.addAll(bundles);
        return new Expected(out, HexFormat.of().formatHex(md.digest()));
    }

    /**
     * Where a line's key ends: at the first {@code =} whose remainder is valid JSON, as pgBackRest's own INI reader
     * does ({@code src/common/ini.c}), so a file named {@code a=b} is read as pgBackRest reads it.
     *
     * @return the index of the separator, or -1
     */
    static int separator(String line) {
        int eq = line.indexOf('=');
        if (eq < 0 || line.indexOf('=', eq + 1) < 0) {
            return eq;
        }
        for (int at = eq; at >= 0; at = line.indexOf('=', at + 1)) {
            try {
                JSON.readTree(line.substring(at + 1));
                return at;
            } catch (IOException e) {
                // not the separator: the key itself holds an '='
            }
        }
        return -1;
    }

    /** The files a manifest lists, and the SHA-256 of the manifest's stored bytes. */
    record Expected(List<String> paths, String manifestSha256) {
    }

    private static void resolve(List<String[]> files, Map<String, String> option, String stanza, String label,
            String what, List<String> out, java.util.Set<String> bundles) {
        String compress = Optional.ofNullable(option.get("option-compress-type")).map(v -> json(v, what).asText())
                .orElse(Optional.ofNullable(option.get("option-compress")).map(v -> json(v, what).asBoolean())
                        .orElse(false) ? "gz" : "none");
        String ext = switch (compress) {
            case "none" -> "";
            case "gz", "lz4", "zst", "bz2" -> "." + compress;
            default -> throw new IntegrityException(what + " names an unknown compress type '" + compress + "'");
        };
        for (String[] e : files) {
            JsonNode f = json(e[1], what);
            String owner = f.hasNonNull("reference") ? f.get("reference").asText() : label;
            io.pgvault.api.BackupId.of(owner);
            String dir = "backup/" + stanza + "/" + owner + "/";
            if (f.hasNonNull("bni")) {
                bundles.add(dir + "bundle/" + f.get("bni").asLong());
            } else if (f.path("size").asLong(-1) == 0) {
                continue; // not stored when the set is bundled, and never read: restore creates it from the manifest
            } else {
                out.add(dir + e[0] + ext);
            }
        }
        files.clear();
    }

    /** @return the plain bytes of a stream pgBackRest encrypted with {@code pass} (the stream itself when empty) */
    static InputStream decrypting(InputStream raw, Optional<String> pass, String what) throws IOException {
        if (pass.isEmpty()) {
            return raw;
        }
        byte[] header = raw.readNBytes(16);
        if (header.length < 16 || !Arrays.equals(Arrays.copyOf(header, 8), MAGIC)) {
            throw new DecryptionException(what + " is not encrypted the way pgBackRest encrypts (no Salted__ "
                    + "header): the repository is not encrypted, or the file was replaced", null);
        }
        byte[] keyIv = bytesToKey(pass.get().getBytes(StandardCharsets.UTF_8), Arrays.copyOfRange(header, 8, 16));
        try {
            Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(keyIv, 0, 32, "AES"), new IvParameterSpec(keyIv, 32, 16));
            return new javax.crypto.CipherInputStream(raw, c);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } finally {
            Arrays.fill(keyIv, (byte) 0);
        }
    }
}
