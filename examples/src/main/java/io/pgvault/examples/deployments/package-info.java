/**
 * The deployments of REQUIREMENTS.md as runnable mains, each a few screens of commented wiring:
 * <ul>
 *   <li>{@link io.pgvault.examples.deployments.ContainerPgBackRest} — deployment 1: pgBackRest inside a container,
 *       S3 (aes-256-cbc) + posix repos, daily full + diff every 6 h, month-end full mirrored to Google Drive, stanza
 *       mismatch detection (needs docker and a bucket);</li>
 *   <li>{@link io.pgvault.examples.deployments.PatroniPgBackRest} — deployment 2: a Patroni node, S3-compatible
 *       store, weekly full + daily incr on the leader only, GFS, health, Micrometer, monthly PITR drill (needs a
 *       Patroni node and a bucket);</li>
 *   <li>{@link io.pgvault.examples.deployments.AppTemplateLogical} — deployment 3: pg_dump configured from
 *       {@code BACKUP_*} environment variables, local + optional S3 tier, verify-only, restore with drop-existing
 *       (runs anywhere; {@code AppTemplateLogicalIT});</li>
 *   <li>{@link io.pgvault.examples.deployments.EmbedInYourService} — a Spring-free host service: scheduler,
 *       single-runner guard, health JSON and metrics over the JDK HTTP server (runs anywhere;
 *       {@code EmbedInYourServiceIT}).</li>
 * </ul>
 * Settings and defaults: {@code docs/configuration.md}; operations: {@code docs/runbooks/}.
 *
 * @since 0.2.0
 */
package io.pgvault.examples.deployments;
