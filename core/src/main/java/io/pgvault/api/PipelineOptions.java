package io.pgvault.api;

import java.util.Objects;
import java.util.Optional;

/**
 * The stages between a tool and a repository: compression, then encryption; SHA-256 of both the logical and the
 * stored bytes is always computed.
 *
 * <p>Manifests are authenticated (HMAC-SHA256, ADR 0013) with {@code integrityKey} when one is configured, else with
 * a key derived from the encryption secret (the age identity, or the passphrase through scrypt). With neither, sets
 * are written unauthenticated and restoring them needs an explicit opt-in.
 *
 * @param compression  compression (default {@link Compression#zstd()}: level 3 with native workers)
 * @param encryption   encryption (default none)
 * @param integrityKey the key that authenticates manifests, if not derived from the encryption secret: at least 32
 *                     characters of high entropy (e.g. {@code openssl rand -base64 32}), kept apart from the
 *                     repository's credentials
 * @since 0.1.0
 */
public record PipelineOptions(Compression compression, Encryption encryption, Optional<Secret> integrityKey) {
    /** Shortest integrity key accepted, in characters. */
    public static final int MIN_INTEGRITY_KEY_LENGTH = 32;

    /** Validates the components; copies collections and replaces null optionals with empty ones. */
    public PipelineOptions {
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(encryption, "encryption");
        integrityKey = integrityKey == null ? Optional.empty() : integrityKey;
        if (integrityKey.isPresent() && integrityKey.get().reveal().length() < MIN_INTEGRITY_KEY_LENGTH) {
            throw new ConfigurationException("an integrity key must be at least " + MIN_INTEGRITY_KEY_LENGTH
                    + " characters (e.g. the output of openssl rand -base64 32)");
        }
    }

    /**
     * Options without a separate integrity key.
     *
     * @param compression compression
     * @param encryption  encryption
     */
    public PipelineOptions(Compression compression, Encryption encryption) {
        this(compression, encryption, Optional.empty());
    }

    /** @return {@link Compression#zstd()} (level 3, native workers), no encryption */
    public static PipelineOptions defaults() {
        return new PipelineOptions(Compression.zstd(), Encryption.none());
    }

    /**
     * @param compression compression to use
     * @return a copy with that compression
     */
    public PipelineOptions withCompression(Compression compression) {
        return new PipelineOptions(compression, encryption, integrityKey);
    }

    /**
     * @param encryption encryption to use
     * @return a copy with that encryption
     */
    public PipelineOptions withEncryption(Encryption encryption) {
        return new PipelineOptions(compression, encryption, integrityKey);
    }

    /**
     * @param key the key that authenticates manifests (see the class comment)
     * @return a copy using it
     * @since 0.4.0
     */
    public PipelineOptions withIntegrityKey(Secret key) {
        return new PipelineOptions(compression, encryption, Optional.of(Objects.requireNonNull(key, "key")));
    }

    /** @return the options, never the secrets */
    @Override
    public String toString() {
        return "PipelineOptions[compression=" + compression + ", encryption=" + encryption + ", integrityKey="
                + (integrityKey.isPresent() ? "***" : "none") + "]";
    }
}
