/**
 * Micrometer meters for pgvault ({@link io.pgvault.operations.metrics.VaultMetrics},
 * {@link io.pgvault.operations.metrics.JobMetrics}). The only package of pgvault that needs Micrometer on the class
 * path; nothing else refers to it.
 */
package io.pgvault.operations.metrics;
