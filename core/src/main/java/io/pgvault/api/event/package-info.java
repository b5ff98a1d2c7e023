/**
 * Events pgvault emits while it works (started, progress, completed, failed, copied to a tier, pruned, verified),
 * and the listeners hosts register to receive them.
 */
package io.pgvault.api.event;
