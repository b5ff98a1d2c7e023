package io.pgvault.operations.health;

import io.pgvault.api.BackupSet;
import io.pgvault.operations.drill.DrillRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code restore-drill} check: the newest proof that a backup restores — a passing restore drill's record, or a
 * set's {@code lastVerified} (written by passing drills and deep verifications) — and whether the latest drill failed.
 */
final class DrillAge {
    private DrillAge() {
    }

    static HealthCheck check(String component, List<BackupSet> sets, List<DrillRecord> drills, Thresholds t,
            Instant now) {
        Optional<DrillRecord> last = drills.stream().max(Comparator.comparing(DrillRecord::finishedAt));
        Optional<DrillRecord> lastPassed = drills.stream().filter(DrillRecord::passed)
                .max(Comparator.comparing(DrillRecord::finishedAt));
        Optional<BackupSet> verified = sets.stream().filter(s -> s.lastVerified().isPresent())
                .max(Comparator.comparing(s -> s.lastVerified().get()));
        Map<String, Object> facts = new LinkedHashMap<>();
        last.ifPresent(d -> {
            facts.put("lastDrillAt", d.finishedAt());
            facts.put("lastDrillSetId", d.setId().value());
            facts.put("lastDrillPassed", d.passed());
        });
        lastPassed.flatMap(DrillRecord::rto).ifPresent(rto -> facts.put("rtoSeconds", rto.toMillis() / 1000.0));
        if (last.isPresent() && !last.get().passed()) {
            DrillRecord failed = last.get();
            facts.put("failures", String.join("; ", failed.failures()));
            return new HealthCheck("restore-drill", component, HealthStatus.CRITICAL, "the last restore drill (set "
                    + failed.setId() + ", " + failed.finishedAt() + ") failed: " + String.join("; ",
                    failed.failures()), facts);
        }
        Optional<Instant> proof = newest(lastPassed.map(DrillRecord::finishedAt),
                verified.flatMap(BackupSet::lastVerified));
        if (proof.isEmpty()) {
            return new HealthCheck("restore-drill", component, HealthStatus.WARNING,
                    "no backup in " + component + " has been proven restorable yet", facts);
        }
        Duration age = Duration.between(proof.get(), now);
        verified.ifPresent(s -> facts.put("lastVerifiedSetId", s.id().value()));
        facts.put("verifiedAt", proof.get());
        facts.put("ageSeconds", age.toSeconds());
        return new HealthCheck("restore-drill", component, t.status(age), "last proof of restorability is "
                + BackupHealth.human(age) + " old (warning over " + BackupHealth.human(t.warning())
                + ", critical over " + BackupHealth.human(t.critical()) + ")", facts);
    }

    private static Optional<Instant> newest(Optional<Instant> a, Optional<Instant> b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() || a.get().isAfter(b.get()) ? a : b;
    }
}
