/**
 * Physical backups and point-in-time recovery through the real {@code pgbackrest} CLI.
 *
 * <p>{@link io.pgvault.backend.pgbackrest.PgBackRest} is the facade for one stanza, built from a
 * {@link io.pgvault.backend.pgbackrest.PgBackRestConfig} (the cluster as {@link io.pgvault.backend.pgbackrest.PgCluster},
 * repos as {@link io.pgvault.backend.pgbackrest.PgBackRestRepo}: posix from a {@code LocalRepository} or a path, s3
 * from an {@code S3RepositoryConfig}). It writes {@code pgbackrest.conf} and a 0600 secrets include file, produces the
 * {@code archive_command}, runs the stanza lifecycle, backups, {@code info} (mapped to {@code BackupSet}s), restores to
 * any target ({@link io.pgvault.backend.pgbackrest.RestoreTarget}) optionally started for inspection
 * ({@link io.pgvault.backend.pgbackrest.RunningCopy}), {@code verify}, and retention plans executed with
 * {@code expire --set}. Failures are {@link io.pgvault.backend.pgbackrest.PgBackRestException}s carrying pgBackRest's
 * error number and the remedy. See ADR 0008 and the runbook {@code docs/runbooks/pitr-pgbackrest.md}.
 *
 * <pre>{@code
 * PgBackRest pgbr = PgBackRest.of(PgBackRestConfig.builder("main")
 *         .cluster(PgCluster.builder(Path.of("/var/lib/postgresql/15/main")).build())
 *         .repo(PgBackRestRepo.posix(Path.of("/var/lib/pgbackrest")).build())
 *         .configFile(Path.of("/etc/pgvault/pgbackrest.conf"))
 *         .launcher(Launcher.asUser("postgres"))
 *         .build());
 * pgbr.writeConfig();
 * // postgresql.conf: archive_mode = on, archive_command = pgbr.archiveCommand()
 * pgbr.stanzaCreate();
 * BackupSet full = pgbr.backup(BackupType.FULL, config.repo(1));
 * }</pre>
 */
package io.pgvault.backend.pgbackrest;
