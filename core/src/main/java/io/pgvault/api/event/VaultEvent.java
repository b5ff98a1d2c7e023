package io.pgvault.api.event;

import java.time.Instant;

/**
 * Something pgvault did or is doing, delivered to {@link VaultListener}s. Implementations are immutable records;
 * modules add their own (tiers, drills) by implementing this interface.
 *
 * @since 0.2.0
 */
public interface VaultEvent {

    /** @return when it happened */
    Instant at();

    /**
     * @return where it happened: a repository's {@code id()}, a tier's name, or a pgBackRest stanza/repo; never holds
     *         a secret
     */
    String location();
}
