/**
 * Running pgvault inside a service: scheduler with a single-runner guard, health, Micrometer metrics, restore drills.
 */
package io.pgvault.operations;
