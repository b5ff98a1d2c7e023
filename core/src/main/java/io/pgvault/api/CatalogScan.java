package io.pgvault.api;

import java.util.List;
import java.util.Objects;

/**
 * One reading of a catalog: the sets that can be trusted, and the manifests that cannot (listed with the reason,
 * never hiding the others).
 *
 * @param sets    the committed, valid sets, oldest first, with their records folded in
 * @param damaged manifests that failed validation, by key
 * @since 0.3.0
 */
public record CatalogScan(List<BackupSet> sets, List<DamagedManifest> damaged) {
    /** Copies the lists. */
    public CatalogScan {
        sets = List.copyOf(Objects.requireNonNull(sets, "sets"));
        damaged = List.copyOf(Objects.requireNonNull(damaged, "damaged"));
    }
}
