package io.pgvault.operations.drill;

import io.pgvault.api.event.VaultEvent;

import java.time.Instant;
import java.util.Objects;

/**
 * A restore drill finished, passed or failed; delivered to the vault's listeners ({@code PgVault#events()}) and the
 * drill's own.
 *
 * @param at       when it finished
 * @param location the repository the drilled set lives in
 * @param report   what was restored, what was checked, the measured RTO
 * @since 0.2.0
 */
public record DrillCompleted(Instant at, String location, DrillReport report) implements VaultEvent {
    /** Checks the components. */
    public DrillCompleted {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(report, "report");
    }

    /** @return whether the drill passed */
    public boolean passed() {
        return report.passed();
    }
}
