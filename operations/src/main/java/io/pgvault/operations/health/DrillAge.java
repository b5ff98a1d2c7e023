package io.pgvault.operations.health;

import io.pgvault.api.BackupSet;
import io.pgvault.operations.drill.DrillRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code restore-drill} check. It names three things apart, because they prove different things:
 * <ul>
 *   <li><b>last verified</b>: a set's {@code lastVerified} (a deep {@code verify()} or a passing drill): its bytes
 *   and structure are intact. A deep verify restores nothing, so alone it is no proof of restorability;</li>
 *   <li><b>last drilled</b>: the newest restore drill record, passed or not;</li>
 *   <li><b>last restored and checked</b>: a passing drill (restored, the server answered, every check passed) or a
 *   restore the host checked and reported ({@link CheckedRestore}). Only this is aged against the thresholds.</li>
 * </ul>
 * The latest drill having failed is CRITICAL; nothing restored and checked yet is a WARNING that says what was
 * verified or drilled instead. Until 0.5 a deep verify counted as proof; {@code verifiedAt} and {@code ageSeconds}
 * keep their names and now describe the last restored-and-checked.
 */
final class DrillAge {
    private DrillAge() {
    }

    static HealthCheck check(String component, List<BackupSet> sets, List<DrillRecord> drills,
            Optional<CheckedRestore> restore, Thresholds t, Instant now) {
        Optional<DrillRecord> last = drills.stream().max(Comparator.comparing(DrillRecord::finishedAt));
        Optional<DrillRecord> lastPassed = drills.stream().filter(DrillRecord::passed)
                .max(Comparator.comparing(DrillRecord::finishedAt));
        Optional<BackupSet> verified = sets.stream().filter(s -> s.lastVerified().isPresent())
                .max(Comparator.comparing(s -> s.lastVerified().get()));
        Map<String, Object> facts = new LinkedHashMap<>();
        verified.ifPresent(s -> {
            facts.put("lastVerifiedAt", s.lastVerified().get());
            facts.put("lastVerifiedSetId", s.id().value());
        });
        last.ifPresent(d -> {
            facts.put("lastDrilledAt", d.finishedAt());
            facts.put("lastDrillAt", d.finishedAt()); // the 0.2 name
            facts.put("lastDrillSetId", d.setId().value());
            facts.put("lastDrillPassed", d.passed());
        });
        lastPassed.flatMap(DrillRecord::rto).ifPresent(rto -> facts.put("rtoSeconds", rto.toMillis() / 1000.0));
        Optional<CheckedRestore> proof = newest(lastPassed.map(d -> new CheckedRestore(d.setId(), d.finishedAt(),
                "restore drill passed")), restore);
        proof.ifPresent(p -> {
            facts.put("lastRestoredCheckedAt", p.at());
            facts.put("lastRestoredCheckedSetId", p.setId().value());
            facts.put("lastRestoredCheckedBy", p.check());
        });
        String seen = seen(verified, last, now);
        if (last.isPresent() && !last.get().passed()) {
            DrillRecord failed = last.get();
            facts.put("failures", String.join("; ", failed.failures()));
            return new HealthCheck("restore-drill", component, HealthStatus.CRITICAL, "the last restore drill (set "
                    + failed.setId() + ", " + failed.finishedAt() + ") failed: " + String.join("; ",
                    failed.failures()), facts);
        }
        if (proof.isEmpty()) {
            return new HealthCheck("restore-drill", component, HealthStatus.WARNING, "no backup in " + component
                    + " has been restored and checked yet (" + seen + ")", facts);
        }
        Duration age = Duration.between(proof.get().at(), now);
        facts.put("verifiedAt", proof.get().at()); // the 0.2 name of the instant the age is measured from
        facts.put("ageSeconds", age.toSeconds());
        return new HealthCheck("restore-drill", component, t.status(age), "last restored and checked "
                + BackupHealth.human(age) + " ago (set " + proof.get().setId() + ", " + proof.get().check()
                + "; warning over " + BackupHealth.human(t.warning()) + ", critical over "
                + BackupHealth.human(t.critical()) + "); " + seen, facts);
    }

    private static String seen(Optional<BackupSet> verified, Optional<DrillRecord> drilled, Instant now) {
        List<String> parts = new ArrayList<>();
        parts.add(verified.map(s -> "last verified " + BackupHealth.human(Duration.between(s.lastVerified().get(),
                now)) + " ago (set " + s.id() + ")").orElse("never verified"));
        parts.add(drilled.map(d -> "last drilled " + BackupHealth.human(d.age(now)) + " ago ("
                + (d.passed() ? "passed" : "failed") + ")").orElse("never drilled"));
        return String.join(", ", parts);
    }

    private static Optional<CheckedRestore> newest(Optional<CheckedRestore> a, Optional<CheckedRestore> b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() || a.get().at().isAfter(b.get().at()) ? a : b;
    }
}
