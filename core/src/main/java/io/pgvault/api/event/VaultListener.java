package io.pgvault.api.event;

/**
 * Receives {@link VaultEvent}s. Called synchronously on the thread doing the work: keep it quick and hand slow work
 * (HTTP calls, mail) to an executor. A listener that throws is logged and otherwise ignored; it never fails a backup.
 *
 * @since 0.2.0
 */
@FunctionalInterface
public interface VaultListener {

    /** @param event what happened */
    void on(VaultEvent event);
}
