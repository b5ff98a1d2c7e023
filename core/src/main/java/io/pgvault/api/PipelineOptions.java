package io.pgvault.api;

import java.util.Objects;

/**
 * The stages between a tool and a repository: compression, then encryption; SHA-256 of both the logical and the
 * stored bytes is always computed.
 *
 * @param compression compression (default {@link Compression#zstd()}: level 3 with native workers)
 * @param encryption  encryption (default none)
 * @since 0.1.0
 */
public record PipelineOptions(Compression compression, Encryption encryption) {
    /** Validates the components; copies collections and replaces null optionals with empty ones. */
    public PipelineOptions {
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(encryption, "encryption");
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
        return new PipelineOptions(compression, encryption);
    }

    /**
     * @param encryption encryption to use
     * @return a copy with that encryption
     */
    public PipelineOptions withEncryption(Encryption encryption) {
        return new PipelineOptions(compression, encryption);
    }
}
