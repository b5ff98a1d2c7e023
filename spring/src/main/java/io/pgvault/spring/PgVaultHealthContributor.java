package io.pgvault.spring;

import io.pgvault.operations.health.BackupHealth;
import io.pgvault.operations.health.HealthCheck;
import io.pgvault.operations.health.HealthReport;
import io.pgvault.operations.health.HealthStatus;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.NamedContributor;
import org.springframework.boot.actuate.health.Status;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * pgvault's health in Actuator: one indicator per component {@link BackupHealth} checks (the primary repository,
 * each tier, each pgBackRest stanza, each archive), under {@code /actuator/health/pgvault}. A CRITICAL check is
 * {@code DOWN}, UNKNOWN is {@code UNKNOWN}, OK and WARNING are {@code UP} (a warning is in the details as
 * {@code pgvault-status: WARNING}, so a load balancer does not drop a replica because a backup is a little late).
 */
final class PgVaultHealthContributor implements CompositeHealthContributor {
    private static final Duration REUSE = Duration.ofSeconds(1);

    private final BackupHealth health;
    private final String primary;
    private HealthReport cached;
    private long cachedAt;
    /** Every component ever reported: one that stops being reported turns UNKNOWN, it does not vanish or stay UP. */
    private final java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();

    PgVaultHealthContributor(BackupHealth health, String primaryRepositoryId) {
        this.health = health;
        this.primary = primaryRepositoryId;
    }

    private synchronized HealthReport report() {
        long now = System.nanoTime();
        if (cached == null || now - cachedAt > REUSE.toNanos()) {
            cached = health.check();
            cachedAt = now;
        }
        return cached;
    }

    /** @return an Actuator-friendly name: primary, tier-offsite, pgbackrest-main, archive-main, ... */
    String name(String component) {
        String c = component;
        if (primary != null && (c.equals("repository:" + primary) || c.startsWith("repository:" + primary + "/"))) {
            c = "primary" + c.substring(("repository:" + primary).length());
        } else if (c.startsWith("repository:")) {
            c = c.substring("repository:".length());
        }
        return c.replaceAll("[^A-Za-z0-9_-]+", "-").replaceAll("^-+|-+$", "");
    }

    @Override
    public HealthContributor getContributor(String name) {
        byComponent(report());
        return seen.contains(name) ? indicator(name) : null;
    }

    @Override
    public Iterator<NamedContributor<HealthContributor>> iterator() {
        byComponent(report());
        List<NamedContributor<HealthContributor>> out = new ArrayList<>();
        for (String name : new java.util.TreeSet<>(seen)) {
            out.add(NamedContributor.of(name, indicator(name)));
        }
        return out.iterator();
    }

    private HealthIndicator indicator(String name) {
        return () -> {
            List<HealthCheck> checks = byComponent(report()).getOrDefault(name, List.of());
            if (checks.isEmpty()) {
                return Health.unknown().withDetail("pgvault-status", HealthStatus.UNKNOWN.name())
                        .withDetail("message", "not checked this time: its listing failed or it is no longer "
                                + "watched (see the other components)").build();
            }
            HealthStatus worst = HealthStatus.OK;
            for (HealthCheck c : checks) {
                worst = worst.worst(c.status());
            }
            Health.Builder b = new Health.Builder(switch (worst) {
                case CRITICAL -> Status.DOWN;
                case UNKNOWN -> Status.UNKNOWN;
                default -> Status.UP;
            }).withDetail("pgvault-status", worst.name());
            // two components whose names differ only in punctuation (tiers "a.b" and "a-b") share one indicator:
            // its status is the worse of both, and each check's detail names its component so neither hides the other
            boolean shared = checks.stream().map(HealthCheck::component).distinct().count() > 1;
            for (HealthCheck c : checks) {
                Map<String, Object> detail = new LinkedHashMap<>();
                detail.put("status", c.status().name());
                detail.put("message", c.message());
                if (shared) {
                    detail.put("component", c.component());
                }
                c.facts().forEach((k, v) -> detail.put(k, String.valueOf(v)));
                b.withDetail(shared ? c.component() + " " + c.name() : c.name(), detail);
            }
            return b.build();
        };
    }

    private Map<String, List<HealthCheck>> byComponent(HealthReport report) {
        Map<String, List<HealthCheck>> out = new LinkedHashMap<>();
        for (HealthCheck c : report.checks()) {
            out.computeIfAbsent(name(c.component()), k -> new ArrayList<>()).add(c);
        }
        seen.addAll(out.keySet());
        return out;
    }
}
