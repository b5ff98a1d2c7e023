package io.pgvault.api;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.Map;
import java.util.Objects;

/**
 * One object of a backup set as it was stored: its name within the set, its repository key, the pipeline that
 * encoded it and the digests that prove it intact.
 *
 * @param name         name within the set, e.g. {@code app.dump} or {@code app.dir/toc.dat}
 * @param key          repository key of the stored bytes
 * @param logicalBytes size before compression and encryption
 * @param storedBytes  size as stored
 * @param storedSha256 SHA-256 (lower-case hex) of the stored bytes
 * @param logicalSha256 SHA-256 (lower-case hex) of the bytes before compression and encryption
 * @param compression  the compression applied
 * @param encryption   how it was encrypted ({@code none}, {@code age-scrypt}, {@code age-x25519}, or
 *                     {@code age-set-key}: to the set's own key, which its key file holds)
 * @param attributes   strategy-specific facts (format, database, role)
 * @since 0.1.0
 */
public record StoredObject(String name, String key, long logicalBytes, long storedBytes, String storedSha256,
        String logicalSha256, Compression compression, String encryption, Map<String, String> attributes) {

    /**
     * The {@code role} attribute of a set's key file: with a passphrase, a set's objects are encrypted to the set's
     * own age key, stored once in this object, encrypted with the passphrase (ADR 0003). Strategies skip it.
     *
     * @since 0.5.0
     */
    public static final String SET_KEY_ROLE = "age-set-key";

    /** Validates the components; copies collections and replaces null optionals with empty ones. */
    public StoredObject {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(storedSha256, "storedSha256");
        Objects.requireNonNull(logicalSha256, "logicalSha256");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(encryption, "encryption");
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** @return whether this is its set's key file rather than data a strategy wrote */
    @JsonIgnore
    public boolean isSetKey() {
        return SET_KEY_ROLE.equals(attribute("role"));
    }

    /**
     * @param attribute attribute name
     * @return its value, or {@code ""}
     */
    public String attribute(String attribute) {
        return attributes.getOrDefault(attribute, "");
    }
}
