package io.pgvault.api;

/**
 * Whether a set's manifest was proven to come from a holder of the vault's integrity key (ADR 0013). Judged by the
 * reader each time it reads the manifest, never taken from the repository.
 *
 * @since 0.4.0
 */
public enum Authenticity {
    /** The manifest carries a MAC that verifies with this reader's key: its digests vouch for every object. */
    AUTHENTICATED,
    /** The manifest carries no MAC: written before 0.4.0, or by a vault with no key to sign with. */
    UNSIGNED,
    /** The manifest carries a MAC, but this reader has no key to check it with. */
    UNVERIFIED,
    /**
     * The manifest carries a MAC that does not verify with this reader's key: the manifest was altered after it was
     * written, or it was signed with another key (a rotated passphrase or identity).
     */
    MISMATCH;

    /** @return whether the set is proven authentic */
    public boolean proven() {
        return this == AUTHENTICATED;
    }
}
