package io.pgvault.operations.health;

import io.pgvault.api.tier.TierFailure;
import io.pgvault.api.tier.TierHealth;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Health checks of one tier of a vault, from core's {@link TierHealth}. */
final class TierChecks {
    private TierChecks() {
    }

    static List<HealthCheck> of(TierHealth t, Thresholds age, Instant now) {
        String component = "tier:" + t.tier();
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("location", t.location());
        facts.put("required", t.required());
        facts.put("missingSets", (long) t.missing().size());
        if (!t.missing().isEmpty()) {
            facts.put("oldestMissing", t.missing().get(0).value());
        }
        t.lastSuccess().ifPresent(v -> facts.put("lastSuccessAt", v));
        t.lastFailure().ifPresent(f -> {
            facts.put("failedAt", f.at());
            f.id().ifPresent(id -> facts.put("setId", id.value()));
            facts.put("errorCode", f.code().name());
            facts.put("retryable", f.retryable());
            facts.put("error", f.message());
        });
        facts.put("lostSets", (long) t.lost().size());
        if (!t.lost().isEmpty()) {
            facts.put("lost", t.lost().stream().map(id -> id.value()).toList().toString());
        }
        HealthCheck copy;
        if (!t.lost().isEmpty()) {
            copy = new HealthCheck("tier-copy", component, t.required() ? HealthStatus.CRITICAL : HealthStatus.WARNING,
                    t.lost().size() + " set(s) will never reach " + component + " (pruned from the primary, or "
                            + "waiting past the tier's maxCopyWait): " + t.lost().stream().map(id -> id.value())
                            .toList(), facts);
        } else if (t.unreadable().isPresent()) {
            copy = new HealthCheck("tier-copy", component, HealthStatus.UNKNOWN, "cannot read the tier: "
                    + t.unreadable().get(), facts);
        } else if (t.failing()) {
            TierFailure f = t.lastFailure().orElseThrow();
            copy = new HealthCheck("tier-copy", component, t.required() ? HealthStatus.CRITICAL : HealthStatus.WARNING,
                    "copy" + f.id().map(id -> " of " + id.value()).orElse("") + " to " + component + " failed at "
                            + f.at() + ": " + f.message() + (t.missing().isEmpty() ? ""
                            : "; " + t.missing().size() + " set(s) missing on the tier"), facts);
        } else if (!t.missing().isEmpty()) {
            copy = new HealthCheck("tier-copy", component, HealthStatus.WARNING, t.missing().size()
                    + " set(s) missing on " + component + ", oldest " + t.missing().get(0).value()
                    + " (a sync copies them)", facts);
        } else {
            copy = new HealthCheck("tier-copy", component, HealthStatus.OK, component + " holds every set its "
                    + "filter selects", facts);
        }
        if (t.unreadable().isPresent()) {
            return List.of(copy);
        }
        HealthCheck ageCheck;
        if (t.newestCopy().isEmpty()) {
            ageCheck = t.missing().isEmpty()
                    ? new HealthCheck("tier-age", component, HealthStatus.OK, "nothing selected for " + component
                            + " yet", Map.of())
                    : new HealthCheck("tier-age", component, HealthStatus.CRITICAL, "no complete backup in "
                            + component, Map.of("missingSets", (long) t.missing().size()));
        } else {
            Duration d = Duration.between(t.newestCopy().get(), now);
            Map<String, Object> ageFacts = new LinkedHashMap<>();
            ageFacts.put("newestCopyStartedAt", t.newestCopy().get());
            ageFacts.put("ageSeconds", d.toSeconds());
            ageFacts.put("warningSeconds", age.warning().toSeconds());
            ageFacts.put("criticalSeconds", age.critical().toSeconds());
            ageCheck = new HealthCheck("tier-age", component, age.status(d), "newest backup on " + component + " is "
                    + BackupHealth.human(d) + " old (warning over " + BackupHealth.human(age.warning())
                    + ", critical over " + BackupHealth.human(age.critical()) + ")", ageFacts);
        }
        return List.of(copy, ageCheck);
    }
}
