/**
 * An in-process cron scheduler for backups, drills and checks: {@link io.pgvault.operations.schedule.Scheduler}
 * runs {@link io.pgvault.operations.schedule.Job}s on their {@link io.pgvault.operations.schedule.CronSchedule}s,
 * handles missed fires by {@link io.pgvault.operations.schedule.MisfirePolicy}, remembers handled fires in a
 * {@link io.pgvault.operations.schedule.JobStore}, and lets only one of several replicas run a fire through a
 * {@link io.pgvault.operations.schedule.SingleRunnerGuard} (a PostgreSQL advisory lock).
 */
package io.pgvault.operations.schedule;
