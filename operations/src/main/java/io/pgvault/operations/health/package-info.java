/**
 * Health checks hosts can expose: {@link io.pgvault.operations.health.BackupHealth} (backup age, failures, restore
 * drills, tiers) and {@link io.pgvault.operations.health.ArchiveMonitor} (WAL archiving, RPO), reported as a
 * {@link io.pgvault.operations.health.HealthReport} with a JSON rendering.
 */
package io.pgvault.operations.health;
