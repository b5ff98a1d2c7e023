package io.pgvault.api.tier;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.pgvault.api.BackupSet;
import io.pgvault.internal.Json;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What exists where: every set on the primary or any tier, which locations hold it, how big each copy is and when it
 * was verified, and which tiers lack a set they should hold.
 *
 * @param at        when the report was made
 * @param locations the location names, {@code primary} first, then the tiers in declaration order
 * @param sets      one entry per set, oldest first
 * @param problems  locations that could not be listed, with why
 * @since 0.2.0
 */
public record PlacementReport(Instant at, List<String> locations, List<Placement> sets, List<String> problems) {

    /** Validates the components and copies the lists. */
    public PlacementReport {
        Objects.requireNonNull(at, "at");
        locations = List.copyOf(Objects.requireNonNull(locations, "locations"));
        sets = List.copyOf(Objects.requireNonNull(sets, "sets"));
        problems = List.copyOf(Objects.requireNonNull(problems, "problems"));
    }

    /**
     * @param id a set
     * @return its placement, if any location holds it
     */
    public Optional<Placement> find(io.pgvault.api.BackupId id) {
        return sets.stream().filter(p -> p.id().equals(id)).findFirst();
    }

    /** @return the report as JSON (an object with {@code at}, {@code locations}, {@code sets}, {@code problems}) */
    public String toJson() {
        try {
            return Json.mapper().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return plain text: one line per set, then one indented line per location with size and verification time,
     *         or {@code MISSING} where a tier should hold the set
     */
    public String render() {
        StringBuilder b = new StringBuilder("placement at ").append(at).append(": ").append(sets.size())
                .append(" set(s) over ").append(String.join(", ", locations));
        for (Placement p : sets) {
            b.append('\n').append(p.id().value()).append("  ").append(p.type()).append("  ").append(p.source())
                    .append("  started ").append(p.startedAt());
            for (String location : locations) {
                Placement.Copy c = p.copies().get(location);
                if (c != null) {
                    b.append("\n  ").append(location).append(": ").append(c.storedBytes()).append(" bytes, ")
                            .append(c.encryption())
                            .append(c.verifiedAt().map(v -> ", verified " + v).orElse(", not verified"));
                } else if (p.missingOn().contains(location)) {
                    b.append("\n  ").append(location).append(": MISSING (selected by the tier, not copied yet)");
                }
            }
        }
        problems.forEach(pr -> b.append("\nPROBLEM ").append(pr));
        return b.toString();
    }

    static Placement.Copy copyOf(BackupSet set, Optional<Instant> verifiedAt) {
        // a passphrase set's key file is age-scrypt; the set is what its data objects are
        String encryption = set.objects().stream().filter(o -> !o.isSetKey()).map(o -> o.encryption()).distinct()
                .reduce((x, y) -> x + "+" + y).orElse("none");
        return new Placement.Copy(set.storedBytes(), encryption, verifiedAt);
    }
}
