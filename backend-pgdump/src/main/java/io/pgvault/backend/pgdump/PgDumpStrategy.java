package io.pgvault.backend.pgdump;

import io.pgvault.api.BackupSet;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.RestoreResult;
import io.pgvault.spi.BackupContext;
import io.pgvault.spi.BackupStrategy;
import io.pgvault.spi.ReadContext;
import io.pgvault.spi.process.ProcessRunner;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Logical backups with {@code pg_dump} (and {@code pg_dumpall --globals-only} for roles and tablespaces), restored
 * with {@code psql} or {@code pg_restore}.
 *
 * <pre>{@code
 * PgVault vault = PgVault.builder()
 *         .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(conn).format(DumpFormat.CUSTOM).build()))
 *         .repository(LocalRepository.at(Path.of("/var/backups/pg")))
 *         .build();
 * BackupSet set = vault.backup();
 * vault.restore(RestoreRequest.builder().backupId(set.id()).targetDatabase("app_copy").jobs(4).build());
 * }</pre>
 *
 * <h2>Backup</h2>
 * One set holds one object per database ({@code <db>.sql} plain, {@code <db>.dump} custom, {@code <db>.dir/<file>}
 * directory; database names are encoded into repository-safe keys, the real name is the object's {@code database}
 * attribute) and, with {@link PgDumpConfig#includeGlobals()}, {@code globals.sql}. Plain and custom dumps stream
 * from pg_dump's standard output through the pipeline into the repository with no temporary copy. In the directory
 * format pg_dump writes files into the backup's scratch directory ({@code -v --no-sync}); each file is sent and
 * deleted as soon as it is certain pg_dump has closed it (with several jobs, pg_dump reports each finished item on
 * standard error; with one, a newer file shows the older ones closed), the rest when pg_dump has exited, and pg_dump
 * is paused with job-control signals while every uploader is busy, so scratch holds about the largest files in flight
 * rather than the dump (see {@link DumpFormat#DIRECTORY}). A pg_dump that exits non-zero or dies mid-stream fails the
 * backup with a {@link io.pgvault.api.ToolException} carrying its redacted stderr, and the half-written object is
 * never visible; an upload that fails kills pg_dump. The set records the server and pg_dump versions, the format and
 * the databases.
 *
 * <h2>Row counts</h2>
 * With {@link PgDumpConfig#rowCounts()} (the default) each database is dumped from an exported snapshot: one psql
 * session opens a {@code REPEATABLE READ READ ONLY} transaction, exports its snapshot for {@code pg_dump --snapshot},
 * and counts every table the dump holds ({@code count(*)}, exact) in that same transaction while pg_dump runs, so the
 * counts describe exactly the rows in the dump, however busy the database. The set records them as the attribute
 * {@code rowCounts}, {@code {"db": {"schema.table": n}}} with names as {@code format('%I.%I')} gives them; tables are
 * ordinary tables and partitions outside the system schemas that belong to no extension, filtered like the dump's
 * {@code --schema}/{@code --table} patterns; materialized views are not counted (a restore refreshes them). A database
 * that could not be counted (schema-only dump, no snapshot export, a table the role cannot read) is named with the
 * reason in {@code rowCountsSkipped}; the dump itself is not affected. Restore drills compare a restored copy against
 * these counts.
 *
 * <h2>Restore</h2>
 * Each database is restored into a new staging database ({@code TEMPLATE template0}, the recorded encoding and,
 * when it exists on the target server, the recorded owner), and renamed to its target only when every database of
 * the set restored cleanly. An existing target is a {@link io.pgvault.api.ConflictException}, raised before anything
 * changes, unless {@link RestoreRequest#dropExisting()}: then it is dropped ({@code WITH (FORCE)}) just before the
 * rename, so a failed restore leaves it as it was. A failed restore drops its staging databases (a process killed
 * mid-restore can leave one behind: they are named {@code pgvault_restore_*}). The control statements take few psql
 * runs, as each costs a process and a connection: one query reads the server's version, databases (the conflict
 * check) and roles; one run creates every staging database; one per database drops what it replaces and renames it
 * into place ({@code ON_ERROR_STOP}: the rename never follows a failed drop). Plain dumps replay through
 * {@code psql -v ON_ERROR_STOP=1 --single-transaction} in one session ({@link RestoreRequest#jobs()} does not
 * apply); custom dumps stream into {@code pg_restore --single-transaction}, or with
 * {@link RestoreRequest#jobs()} &gt; 1 are first decoded into a private 0600 scratch file for a parallel
 * {@code pg_restore -j N}; directory dumps are decoded into the scratch directory (whatever the jobs: pg_restore
 * reads a directory, not a stream), one database at a time. Selective restores
 * ({@link RestoreRequest#schemas()}, {@link RestoreRequest#tables()}, {@code schema.table}) use pg_restore's
 * {@code -n}/{@code -t} and need the custom or directory format; the selected schemas are created first.
 * {@link RestoreRequest#includeGlobals()} replays {@code globals.sql} first, without stopping at errors: roles that
 * already exist are expected (at least the connecting one); other errors are logged as warnings. A dump taken with
 * {@link PgDumpConfig#includeTables()} records the schemas of its tables, which are created before it is restored
 * (pg_dump leaves them out). The restoring role needs CREATEDB (and, for owners and grants, usually superuser).
 *
 * <h2>Processes and secrets</h2>
 * Every tool starts through the context's {@link io.pgvault.spi.process.ProcessRunner}, so a launcher can run them
 * as another OS user. The connection's password reaches libpq through a 0600 temporary {@code PGPASSFILE} (or
 * {@code PGPASSWORD}, see {@link PasswordTransport}), never a command line. With a launcher that runs the tools as
 * another OS user, the directory format and parallel restore need a scratch directory that user can use, and a
 * directory dump is paused through a {@code /bin/sh} helper started with the same launcher (where that is refused,
 * or pg_dump runs on another host, it is not paused: scratch then holds what the uploads have not caught up with).
 *
 * @since 0.1.0
 */
public final class PgDumpStrategy implements BackupStrategy {
    /** The strategy name recorded in manifests. */
    static final String NAME = "pgdump";

    private final PgDumpConfig config;
    private final AtomicReference<String> pgDumpVersion = new AtomicReference<>();

    /**
     * @param config what to dump and how
     * @since 0.1.0
     */
    public PgDumpStrategy(PgDumpConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * @return the configuration
     * @since 0.1.0
     */
    public PgDumpConfig config() {
        return config;
    }

    /**
     * @return {@code pgdump}
     * @since 0.1.0
     */
    @Override
    public String name() {
        return NAME;
    }

    /**
     * Dumps the configured databases (and globals) into one set.
     *
     * @param context where to write objects
     * @return the set written
     * @since 0.1.0
     */
    @Override
    public io.pgvault.spi.SetFacts backup(BackupContext context) {
        return new Dumper(config, pgDumpVersion).backup(context);
    }

    /**
     * Restores a set into new databases, or replaces existing ones with {@code dropExisting}; see the class
     * description.
     *
     * @param set     the set to restore
     * @param request what to restore and where
     * @param context access to the set's objects
     * @return the databases restored
     * @since 0.1.0
     */
    @Override
    public RestoreResult restore(BackupSet set, RestoreRequest request, ReadContext context) {
        return new Restorer(config).restore(set, request, context);
    }

    /**
     * Checks, before the set is read: the request against the set's layout, that the target server answers, that
     * it can load the set (its version against the set's pg_dump and the pg_restore that would run), and that the
     * target names are free unless {@code dropExisting}. Read-only on the target.
     *
     * @since 0.6.0
     */
    @Override
    public void preflight(BackupSet set, RestoreRequest request, ProcessRunner processes) {
        new Restorer(config).preflight(set, request, processes);
    }

    /**
     * Plain: decodes each dump and checks it ends with pg_dump's completion marker (the cluster marker for
     * {@code globals.sql}). Custom: decodes into {@code pg_restore --list} and a full parse
     * {@code pg_restore -f /dev/null}, which catches truncation inside data blocks. Directory: decodes the files
     * into the scratch directory and runs {@code pg_restore --list} and a full parse. No server is contacted.
     *
     * @param set     the set to check
     * @param context access to the set's objects
     * @return problems found, one line per object; empty when sound
     * @since 0.1.0
     */
    @Override
    public List<String> verifyStructure(BackupSet set, ReadContext context) {
        return new StructureCheck(config).verify(set, context);
    }

    @Override
    public String toString() {
        return "PgDumpStrategy[" + config + "]";
    }
}
