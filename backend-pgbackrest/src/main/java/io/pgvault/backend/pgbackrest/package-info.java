/**
 * PgBackRestStrategy: physical backups and point-in-time recovery through the pgBackRest CLI, with typed configuration and GFS retention.
 */
package io.pgvault.backend.pgbackrest;
