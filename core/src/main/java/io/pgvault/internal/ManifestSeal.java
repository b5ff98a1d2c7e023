package io.pgvault.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgvault.api.Authenticity;
import io.pgvault.api.Encryption;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.Secret;
import io.pgvault.internal.pipeline.Scrypt;
import io.pgvault.spi.Repository;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Authenticates manifests (ADR 0013): HMAC-SHA256 over a domain label, the manifest's name, its format version and
 * the exact bytes of its {@code set} member, keyed with a key the repository does not hold.
 *
 * <p>The key comes from {@link PipelineOptions#integrityKey()} when one is configured, else from the encryption
 * secret: HKDF-SHA256 of the age identity, or scrypt of the passphrase with the repository's one random salt
 * ({@code keys/manifest-scrypt.json}, created by the first signer; a reader accepts at most the work factor its
 * passphrase accepts on read, and derives one key per repository and process whatever the manifests say). The public
 * age recipient, which anyone may hold, never suffices. With neither, nothing is signed and every set reads as
 * {@link Authenticity#UNSIGNED} or {@link Authenticity#UNVERIFIED}.
 */
public final class ManifestSeal {
    /** The MAC algorithm recorded in a manifest's {@code auth} member. */
    public static final String ALGORITHM = "HMAC-SHA256";
    private static final byte[] DOMAIN = "pgvault manifest v1".getBytes(StandardCharsets.US_ASCII);
    private static final int SALT_BYTES = 16;
    private static final int KEY_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** scrypt results by passphrase, salt and work factor: one derivation per salt per process. */
    private static final Map<String, byte[]> DERIVED = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > 64;
        }
    };

    private final String kind;
    private final byte[] fixedKey;
    private final Encryption.Passphrase passphrase;
    /** Where the scrypt salt lives (passphrase seals only). */
    private final Repository repository;
    /** The repository's salt and work factor, once read or created. */
    private volatile RepoSalt repoSalt;

    private ManifestSeal(String kind, byte[] fixedKey, Encryption.Passphrase passphrase, Repository repository) {
        this.kind = kind;
        this.fixedKey = fixedKey;
        this.passphrase = passphrase;
        this.repository = repository;
    }

    /**
     * @param options a pipeline's options
     * @return the seal its integrity key or encryption secret gives
     */
    public static ManifestSeal of(PipelineOptions options, Repository repository) {
        Objects.requireNonNull(options, "options");
        if (options.integrityKey().isPresent()) {
            return new ManifestSeal("integrity-key", hkdf(options.integrityKey().get().reveal(), "integrity-key"),
                    null, null);
        }
        if (options.encryption() instanceof Encryption.X25519 x) {
            return new ManifestSeal("age-x25519", hkdf(x.identity().reveal().strip().toUpperCase(Locale.ROOT),
                    "age-x25519"), null, null);
        }
        if (options.encryption() instanceof Encryption.Passphrase p) {
            return new ManifestSeal("scrypt", null, p, Objects.requireNonNull(repository, "repository"));
        }
        return none();
    }

    /** @return a seal with no key: signs nothing, proves nothing */
    public static ManifestSeal none() {
        return new ManifestSeal("none", null, null, null);
    }

    /**
     * The repository's one scrypt salt: a passphrase derives one key per repository (and per process), never one per
     * manifest, so a planted manifest cannot make a reader run scrypt. Created create-only by the first signer.
     */
    private RepoSalt repoSalt(boolean forSigning) {
        RepoSalt known = repoSalt;
        if (known != null && !forSigning) {
            return known;
        }
        RepoSalt read = readSalt(); // a signer reads it every time: a replaced salt is noticed, never kept
        if (read == null && forSigning) {
            refuseResetSalt();
            byte[] salt = new byte[SALT_BYTES];
            RANDOM.nextBytes(salt);
            ObjectNode doc = Json.mapper().createObjectNode();
            doc.put("salt", Base64.getEncoder().encodeToString(salt));
            doc.put("logN", passphrase.workFactor());
            byte[] bytes = doc.toString().getBytes(StandardCharsets.UTF_8);
            repository.putIfAbsent(io.pgvault.api.RepositoryLayout.MANIFEST_SCRYPT, out -> out.write(bytes));
            if (!repository.putIfAbsentIsAtomic()) {
                try { // two first signers on a store without conditional writes: both go on with what is there
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            read = readSalt(); // ours, or a concurrent writer's that won
        }
        if (read != null && read.problem() == null) {
            repoSalt = read; // failures are never cached: an operator's repair is seen by the next call
        }
        return read;
    }

    /**
     * A missing salt while manifests signed with one exist means it was deleted: a new one would turn every signed set
     * into a mismatch. Refused; the runbook says how to put it back from a manifest's {@code auth} member.
     */
    private void refuseResetSalt() {
        java.util.List<io.pgvault.spi.ObjectInfo> manifests =
                repository.list(io.pgvault.api.RepositoryLayout.MANIFESTS);
        int looked = 0;
        for (int i = manifests.size() - 1; i >= 0 && looked < 5; i--, looked++) {
            try (java.io.InputStream in = repository.open(manifests.get(i).key())) {
                String text = new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
                if (text.contains("\"key\":\"scrypt\"")) {
                    throw new io.pgvault.api.IntegrityException("cannot sign manifests in " + repository.id() + ": "
                            + io.pgvault.api.RepositoryLayout.MANIFEST_SCRYPT + " is missing, but "
                            + manifests.get(i).key() + " was signed with a salt from it; put it back from that "
                            + "manifest's auth member (runbook unauthenticated-sets.md) instead of a new one that "
                            + "would fail every signed set");
                }
            } catch (java.io.IOException | io.pgvault.api.NotFoundException e) {
                // gone or unreadable: the next one
            }
        }
    }

    private RepoSalt readSalt() {
        String key = io.pgvault.api.RepositoryLayout.MANIFEST_SCRYPT;
        if (repository.stat(key).isEmpty()) {
            return null;
        }
        byte[] bytes;
        try (java.io.InputStream in = repository.open(key)) {
            bytes = in.readNBytes(4097);
        } catch (java.io.IOException | io.pgvault.api.NotFoundException e) {
            return null;
        }
        try {
            JsonNode doc = Json.mapper().readTree(bytes);
            byte[] salt = decode(doc.path("salt").asText(""));
            int logN = doc.path("logN").isInt() ? doc.path("logN").asInt() : -1;
            if (bytes.length > 4096 || salt == null || salt.length != SALT_BYTES || logN < 10 || logN > 22) {
                return new RepoSalt(null, logN, "it is malformed");
            }
            return new RepoSalt(salt, logN, null);
        } catch (java.io.IOException | RuntimeException e) {
            return new RepoSalt(null, -1, "it is not JSON");
        }
    }

    /**
     * @param salt    the salt, or null when the object is damaged
     * @param logN    the scrypt work factor
     * @param problem why it cannot be used, or null
     */
    private record RepoSalt(byte[] salt, int logN, String problem) {
    }

    /** @return whether manifests written through this seal are signed */
    public boolean canSign() {
        return !kind.equals("none");
    }

    /**
     * Checks, before a backup writes anything, that a manifest can be signed at its end (with a passphrase: the
     * repository's salt is usable, or can be created).
     *
     * @throws io.pgvault.api.IntegrityException when it cannot
     */
    public void checkCanSign() {
        if (passphrase != null) {
            usableSalt();
        }
    }

    /**
     * @param name          the manifest's name (the set id)
     * @param formatVersion the manifest's format version
     * @param set           the exact bytes of the manifest's {@code set} member
     * @return the {@code auth} member to write beside it
     * @throws IllegalStateException when this seal has no key
     */
    public ObjectNode sign(String name, int formatVersion, byte[] set) {
        if (!canSign()) {
            throw new IllegalStateException("no key to sign manifests with");
        }
        ObjectNode auth = Json.mapper().createObjectNode();
        auth.put("alg", ALGORITHM);
        auth.put("key", kind);
        byte[] key;
        if (passphrase != null) {
            RepoSalt rs = usableSalt();
            auth.put("salt", Base64.getEncoder().encodeToString(rs.salt()));
            auth.put("logN", rs.logN());
            key = scrypt(rs.salt(), rs.logN());
        } else {
            key = fixedKey;
        }
        auth.put("keyId", keyId(key));
        auth.put("mac", Base64.getEncoder().encodeToString(mac(key, name, formatVersion, set)));
        return auth;
    }

    /** @return the repository's salt, read (or created) now and fit to sign with */
    private RepoSalt usableSalt() {
        RepoSalt rs = repoSalt(true);
        if (rs == null || rs.problem() != null || rs.logN() > passphrase.maxReadWorkFactor()
                || rs.logN() < passphrase.workFactor() - 2) {
            throw new io.pgvault.api.IntegrityException("cannot sign manifests in " + repository.id() + ": its "
                    + io.pgvault.api.RepositoryLayout.MANIFEST_SCRYPT + " " + (rs == null ? "cannot be read"
                    : rs.problem() != null ? rs.problem() : rs.logN() < passphrase.workFactor() - 2
                    ? "names scrypt 2^" + rs.logN() + ", much weaker than the configured 2^"
                    + passphrase.workFactor() + " (a downgrade would make guessing the passphrase cheaper)"
                    : "demands scrypt 2^" + rs.logN() + ", more than this passphrase accepts")
                    + " (see runbook unauthenticated-sets.md)");
        }
        return rs;
    }

    /**
     * @param name          the manifest's name (the set id, which its key carries)
     * @param formatVersion the manifest's format version
     * @param set           the exact bytes of the manifest's {@code set} member
     * @param auth          its {@code auth} member, or null when it has none
     * @return the verdict, with a reason for anything but {@link Authenticity#AUTHENTICATED}
     */
    public Verdict verify(String name, int formatVersion, byte[] set, JsonNode auth) {
        if (auth == null || auth.isMissingNode() || auth.isNull()) {
            return new Verdict(Authenticity.UNSIGNED, "the manifest carries no MAC");
        }
        if (!canSign()) {
            return new Verdict(Authenticity.UNVERIFIED, "the manifest is signed, but no key is configured to check it"
                    + " (an integrity key, or the encryption secret it was written with)");
        }
        if (!auth.isObject() || !ALGORITHM.equals(auth.path("alg").asText()) || !auth.path("mac").isTextual()) {
            return new Verdict(Authenticity.MISMATCH, "its auth member is malformed");
        }
        String signedWith = auth.path("key").asText();
        if (!kind.equals(signedWith)) {
            return new Verdict(Authenticity.MISMATCH, "it is signed with a key of kind '" + printable(signedWith)
                    + "', this reader's key is of kind '" + kind + "'");
        }
        byte[] key = fixedKey;
        if (passphrase != null) {
            RepoSalt rs = repoSalt(false);
            if (rs == null || rs.problem() != null) {
                return new Verdict(Authenticity.MISMATCH, "the repository's " + io.pgvault.api.RepositoryLayout
                        .MANIFEST_SCRYPT + " " + (rs == null ? "is missing" : rs.problem()));
            }
            if (rs.logN() > passphrase.maxReadWorkFactor()) {
                return new Verdict(Authenticity.MISMATCH, "the repository's key derivation demands scrypt 2^"
                        + rs.logN() + ", more than this reader accepts (2^" + passphrase.maxReadWorkFactor() + ")");
            }
            byte[] salt = decode(auth.path("salt").asText());
            if (salt == null || !MessageDigest.isEqual(salt, rs.salt()) || auth.path("logN").asInt(-1) != rs.logN()) {
                return new Verdict(Authenticity.MISMATCH, "it is signed under another key salt than the repository's"
                        + " (nothing was derived for it)");
            }
            key = scrypt(rs.salt(), rs.logN());
        }
        byte[] claimed = decode(auth.path("mac").asText());
        if (claimed != null && MessageDigest.isEqual(claimed, mac(key, name, formatVersion, set))) {
            return new Verdict(Authenticity.AUTHENTICATED, "");
        }
        boolean sameKey = keyId(key).equals(auth.path("keyId").asText());
        return new Verdict(Authenticity.MISMATCH, sameKey
                ? "its MAC does not match: the manifest was altered after it was written"
                : "its MAC does not match: it was signed with another key (a rotated secret?) or altered");
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) : s;
        return cut.replaceAll("[^A-Za-z0-9._-]", "?");
    }

    private static byte[] decode(String b64) {
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private byte[] scrypt(byte[] salt, int logN) {
        String id = fingerprint(passphrase.passphrase(), logN) + ":" + Base64.getEncoder().encodeToString(salt);
        synchronized (DERIVED) {
            byte[] known = DERIVED.get(id);
            if (known != null) {
                return known;
            }
        }
        byte[] password = passphrase.passphrase().reveal().getBytes(StandardCharsets.UTF_8);
        byte[] labelled = new byte[DOMAIN.length + salt.length];
        System.arraycopy(DOMAIN, 0, labelled, 0, DOMAIN.length);
        System.arraycopy(salt, 0, labelled, DOMAIN.length, salt.length);
        byte[] key = Scrypt.derive(password, labelled, logN);
        java.util.Arrays.fill(password, (byte) 0);
        synchronized (DERIVED) {
            DERIVED.put(id, key);
        }
        return key;
    }

    /** A one-way name for a passphrase in the caches (a hash, never the passphrase). */
    private static String fingerprint(Secret secret, int logN) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update("pgvault seal cache".getBytes(StandardCharsets.US_ASCII));
            d.update(secret.reveal().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest()) + ":" + logN;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    private static byte[] mac(byte[] key, String name, int formatVersion, byte[] set) {
        Mac mac = hmac(key);
        mac.update(DOMAIN);
        mac.update((byte) 0);
        mac.update(name.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0);
        mac.update(Integer.toString(formatVersion).getBytes(StandardCharsets.US_ASCII));
        mac.update((byte) 0);
        return mac.doFinal(set);
    }

    /** A short public name of a key: which key signed, for messages; reveals nothing usable. */
    private static String keyId(byte[] key) {
        byte[] id = hmac(key).doFinal("pgvault key id".getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(id, 0, 8);
    }

    /** HKDF-SHA256 (RFC 5869) of a secret string with an empty salt, to one 32-byte key. */
    private static byte[] hkdf(String secret, String purpose) {
        byte[] prk = hmac(new byte[KEY_BYTES]).doFinal(secret.getBytes(StandardCharsets.UTF_8));
        Mac expand = hmac(prk);
        expand.update(("pgvault manifest key v1 " + purpose).getBytes(StandardCharsets.US_ASCII));
        expand.update((byte) 1);
        return expand.doFinal();
    }

    private static Mac hmac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "ManifestSeal[" + kind + "]";
    }

    /**
     * @param authenticity what was proven
     * @param reason       why it is not {@link Authenticity#AUTHENTICATED}; empty when it is
     */
    public record Verdict(Authenticity authenticity, String reason) {
    }
}
