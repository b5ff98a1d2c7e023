package io.pgvault.operations;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PgConnection;
import io.pgvault.operations.health.BackupHealth;
import io.pgvault.operations.health.HealthReport;
import io.pgvault.operations.metrics.VaultMetrics;
import io.pgvault.operations.schedule.Job;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A host that uses only health and metrics, run by {@link HealthWithoutOptionalJarsTest} in a class loader without
 * the JDBC driver, cron-utils and the backends: one line per observation, read back by the test.
 */
public final class HealthOnlyHost implements Supplier<String> {

    @Override
    public String get() {
        List<String> out = new ArrayList<>();
        for (String name : List.of("org.postgresql.Driver", "com.cronutils.parser.CronParser",
                "io.pgvault.backend.pgbackrest.PgBackRest", "io.pgvault.backend.pgdump.PgDumpStrategy")) {
            try {
                Class.forName(name, false, getClass().getClassLoader());
                out.add("present " + name);
            } catch (ClassNotFoundException e) {
                out.add("absent " + name);
            }
        }
        Instant now = Instant.parse("2026-12-01T12:00:00Z");
        Instant at = now.minusSeconds(3600);
        BackupSet set = new BackupSet(BackupId.of("20261201-110000"), "pgdump", BackupType.LOGICAL,
                BackupStatus.COMPLETE, "app", at, at, Optional.empty(), List.of(), Map.of(), Optional.empty());
        BackupHealth health = BackupHealth.builder().clock(Clock.fixed(now, ZoneOffset.UTC)).build()
                .watch("local:/backups", () -> List.of(set));
        HealthReport report = health.check();
        out.add("health " + report.checks("backup-age").get(0).status());
        out.add("json " + report.toJson().contains("\"backup-age\""));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        VaultMetrics.builder().build().bindTo(registry);
        out.add("metrics bound");
        try {
            Job.builder("nightly").cron("0 2 * * *").task(ctx -> { }).build();
            out.add("cron accepted");
        } catch (ConfigurationException e) {
            out.add("cron refused: " + e.getMessage());
        }
        try {
            ConnectionSource.of(PgConnection.builder().host("127.0.0.1").user("u").database("d").build());
            out.add("jdbc accepted");
        } catch (ConfigurationException e) {
            out.add("jdbc refused: " + e.getMessage());
        }
        return String.join("\n", out);
    }
}
