package io.pgvault.backend.pgdump;

import io.pgvault.api.BackupSet;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.ConflictException;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.RestoreResult;
import io.pgvault.api.StoredObject;
import io.pgvault.api.ToolException;
import io.pgvault.spi.ReadContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Restores a pg_dump set, proving before it changes anything. Every database is first restored under a private
 * staging name; the set's globals (with {@code includeGlobals}) are applied only once all of them loaded cleanly (the
 * bare roles their ownership needs are created first and dropped again on failure); then every staging database is
 * swapped into place, all or nothing ({@link StagingDatabases#swapAll}). A failure leaves existing databases and
 * roles as they were and drops what was staged.
 */
final class Restorer {
    private static final Logger LOG = LoggerFactory.getLogger(Restorer.class);
    private static final int MAX_NAME_BYTES = 63;

    private final PgDumpConfig config;

    Restorer(PgDumpConfig config) {
        this.config = config;
    }

    /** What {@link #restore} checks before it changes anything, run before the set is read. */
    void preflight(BackupSet set, RestoreRequest request, io.pgvault.spi.process.ProcessRunner processes) {
        SetLayout layout = SetLayout.of(set);
        List<RestoreTarget> targets = plan(set, layout, request);
        PgConnection conn = request.target().orElse(config.connection());
        try (PgSession session = PgSession.open(conn, processes, config)) {
            check(set, layout, request, targets, session, conn);
        }
    }

    /**
     * @return the target as probed, and the target names it already holds (to be replaced: {@code dropExisting});
     *         the server can load the set
     */
    private static Checked check(BackupSet set, SetLayout layout, RestoreRequest request, List<RestoreTarget> targets,
            PgSession session, PgConnection conn) {
        Probe probe = probe(session, conn, targets);
        requireLoadable(set, layout.format(), session, probe.catalog().server(), conn);
        List<String> conflicts = targets.stream().map(RestoreTarget::name).filter(probe.catalog()::hasDatabase)
                .toList();
        if (!conflicts.isEmpty() && !request.dropExisting()) {
            throw new ConflictException("database(s) " + conflicts + " already exist on " + conn.host() + ":"
                    + conn.port() + "; restore into another targetDatabase or set dropExisting to replace them");
        }
        return new Checked(probe, conflicts);
    }

    /** What {@link #check} found: the probed target and the target names already taken there. */
    private record Checked(Probe probe, List<String> conflicts) {
    }

    RestoreResult restore(BackupSet set, RestoreRequest request, ReadContext ctx) {
        Instant start = Instant.now();
        SetLayout layout = SetLayout.of(set);
        List<RestoreTarget> targets = plan(set, layout, request);
        PgConnection conn = request.target().orElse(config.connection());
        try (PgSession session = PgSession.open(conn, ctx.processes(), config)) {
            Checked checked = check(set, layout, request, targets, session, conn);
            Probe probe = checked.probe();
            String maintenance = probe.database();
            ServerCatalog catalog = probe.catalog();
            // only what existed when the conflict was checked is replaced, never a database that appeared since
            Map<String, Long> replace = new HashMap<>();
            checked.conflicts().forEach(name -> replace.put(name, probe.catalog().database(name).orElseThrow().oid()));
            List<String> warnings = new ArrayList<>();
            GlobalsReplay globals = request.includeGlobals()
                    ? GlobalsReplay.read(ctx, layout.globals().orElseThrow()) : null;
            List<String> createdRoles = List.of();
            boolean globalsApplied = false;
            try {
                if (globals != null) {
                    // bare roles first: the dumps' ownership needs them; attributes and passwords wait for the proof
                    createdRoles = globals.createMissingRoles(session, maintenance, catalog.roles());
                    catalog = session.catalog(maintenance);
                }
                StagingDatabases staging = stageAll(session, catalog, ctx, layout.format(), request, targets,
                        maintenance);
                if (globals != null) {
                    try {
                        globals.apply(session, maintenance);
                        globalsApplied = true;
                    } catch (RuntimeException | Error e) {
                        staging.dropAll(e);
                        throw e;
                    }
                }
                warnings.addAll(staging.swapAll(targets, replace));
            } catch (RuntimeException | Error e) {
                GlobalsReplay.dropRoles(session, maintenance, createdRoles, e);
                if (globalsApplied) {
                    throw new PgVaultException(e instanceof PgVaultException p ? p.code() : ErrorCode.TOOL_FAILED,
                            e.getMessage() + " (the set's globals, roles and their passwords, had been applied"
                                    + " before the swap and remain)", e);
                }
                throw e;
            }
            List<String> names = targets.stream().map(RestoreTarget::name).toList();
            return new RestoreResult(set, names, Duration.between(start, Instant.now()), warnings);
        }
    }

    private List<RestoreTarget> plan(BackupSet set, SetLayout layout, RestoreRequest request) {
        List<String> problems = new ArrayList<>();
        if (layout.databases().isEmpty()) {
            problems.add("backup set " + set.id() + " holds no database dump");
        }
        if (request.selective() && layout.format() == DumpFormat.PLAIN) {
            problems.add("a plain-format dump cannot be restored selectively (schemas/tables need the custom or"
                    + " directory format)");
        }
        if (request.targetDatabase().isPresent() && layout.databases().size() > 1) {
            problems.add("backup set " + set.id() + " holds " + layout.databases().size() + " databases; a"
                    + " targetDatabase applies only to a set of one (each database restores under its own name)");
        }
        if (request.includeGlobals() && layout.globals().isEmpty()) {
            problems.add("backup set " + set.id() + " holds no globals (it was taken without includeGlobals)");
        }
        request.targetDatabase().ifPresent(t -> {
            if (t.indexOf('\0') >= 0 || t.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                problems.add("target database name must be at most " + MAX_NAME_BYTES + " bytes without NUL");
            }
        });
        for (String s : request.schemas()) {
            PgSession.requireArgvSafe(s);
        }
        for (String t : request.tables()) {
            PgSession.requireArgvSafe(t);
        }
        ConfigurationException.throwIfAny(problems);
        boolean noOwner = set.attribute("noOwner").map(Boolean::parseBoolean).orElse(false);
        List<RestoreTarget> out = new ArrayList<>();
        layout.databases().forEach((db, objects) -> {
            StoredObject first = objects.get(0);
            String owner = noOwner ? "" : first.attribute("owner");
            String encoding = first.attribute("encoding").isEmpty() ? "UTF8" : first.attribute("encoding");
            out.add(new RestoreTarget(db, request.targetDatabase().orElse(db), objects, owner, encoding));
        });
        return out;
    }

    /**
     * Finds a database to run control statements from, like createdb picks one: {@code postgres}, else
     * {@code template1}, else the connection's own database (which, in a disaster, may be the very one being
     * restored and gone). Never one that is about to be replaced. The first that answers also answers the catalog
     * query, so finding it costs one psql run.
     */
    private static Probe probe(PgSession session, PgConnection conn, List<RestoreTarget> targets) {
        Set<String> candidates = new LinkedHashSet<>(List.of("postgres", "template1", conn.database()));
        targets.forEach(t -> candidates.remove(t.name()));
        RuntimeException first = null;
        for (String db : candidates) {
            try {
                return new Probe(db, session.catalog(db));
            } catch (ToolException e) {
                if (e.code() == ErrorCode.TOOL_MISSING) {
                    throw e;
                }
                first = first == null ? e : first;
            }
        }
        throw first != null ? first : new ConfigurationException("no database to connect to on " + conn.host());
    }

    /**
     * Creates every staging database in one psql run, then loads each; on any failure drops them all. The first
     * database's dump, if it needs a seekable copy, is decoded (and so verified) before any database is created.
     */
    private static StagingDatabases stageAll(PgSession session, ServerCatalog catalog, ReadContext ctx,
            DumpFormat format, RestoreRequest request, List<RestoreTarget> targets, String maintenance) {
        StagingDatabases staging = StagingDatabases.named(session, catalog.server(), maintenance, targets.size());
        Path local = DumpLoader.stageLocally(ctx, format, request, targets.get(0));
        try {
            staging.create(targets, catalog.roles());
            for (int i = 0; i < targets.size(); i++) {
                if (i > 0) {
                    local = DumpLoader.stageLocally(ctx, format, request, targets.get(i));
                }
                load(session, ctx, format, request, targets.get(i), staging.name(i), local);
            }
            return staging;
        } catch (RuntimeException | Error e) {
            staging.dropAll(e);
            throw e;
        }
    }

    /** @param local the dump decoded into the scratch directory, or null when it streams */
    private static void load(PgSession session, ReadContext ctx, DumpFormat format, RestoreRequest request,
            RestoreTarget t, String staging, Path local) {
        try {
            DumpLoader.createSchemas(session, format, request, t, staging);
            LOG.info("restoring database '{}' into staging database {} ({})", t.source(), staging, format.label());
            DumpLoader.load(session, ctx, format, request, t, staging, local);
        } finally {
            ToolStreams.deleteQuietly(local == null ? null : Files.isDirectory(local) ? local : local.getParent());
        }
    }

    /**
     * Refuses, before any role or database is created, a restore that would fail half-way because the SQL run against
     * the target sets what it does not know: from 17 on, pg_dump (in a plain script) and pg_restore (for custom and
     * directory sets, on its own connection) set {@code transaction_timeout}, which PostgreSQL 16 and older reject.
     * Other loads into a server older than the dump's pg_dump are allowed with a warning: PostgreSQL does not promise
     * them, but they usually work.
     */
    static void requireLoadable(BackupSet set, DumpFormat format, PgSession session, PgSession.ServerVersion target,
            PgConnection conn) {
        int dumpMajor = PgSession.toolMajor(set.attribute("clientVersion").orElse("")).orElse(0);
        int restoreMajor = format == DumpFormat.PLAIN ? 0 : session.pgRestoreMajor();
        whyNotLoadable(format, dumpMajor, restoreMajor, target).ifPresent(why -> {
            throw new ConfigurationException("cannot restore set " + set.id() + " into " + conn.host() + ":"
                    + conn.port() + " (" + target.text() + "): " + why);
        });
        if (dumpMajor > target.major()) {
            LOG.warn("set {} was dumped by pg_dump {} and is restored into an older server ({}): PostgreSQL does not "
                    + "promise that this loads", set.id(), dumpMajor, target.text());
        }
    }

    /** The first major version whose pg_dump and pg_restore set {@code transaction_timeout}. */
    private static final int SETS_TRANSACTION_TIMEOUT = 17;

    /**
     * @param dumpMajor    the set's pg_dump major version (0: unknown)
     * @param restoreMajor the major version of the pg_restore that would run (0: none, a plain script)
     * @return why the load would fail, if it would
     */
    static Optional<String> whyNotLoadable(DumpFormat format, int dumpMajor, int restoreMajor,
            PgSession.ServerVersion target) {
        if (target.num() >= SETS_TRANSACTION_TIMEOUT * 10000) {
            return Optional.empty();
        }
        if (format == DumpFormat.PLAIN && dumpMajor >= SETS_TRANSACTION_TIMEOUT) {
            return Optional.of("its script was written by pg_dump " + dumpMajor + ", which sets transaction_timeout, "
                    + "a parameter PostgreSQL 16 and older reject: restore into a PostgreSQL " + dumpMajor
                    + " or newer server, and back this server up with the pg_dump of its own major version "
                    + "(PgConnection.binDir)");
        }
        if (format != DumpFormat.PLAIN && restoreMajor >= SETS_TRANSACTION_TIMEOUT) {
            return Optional.of("the pg_restore that would load it is version " + restoreMajor + ", which sets "
                    + "transaction_timeout, a parameter PostgreSQL 16 and older reject: point PgConnection.binDir at "
                    + "the pg_restore of the server's own major version"
                    + (dumpMajor >= SETS_TRANSACTION_TIMEOUT ? " (which cannot read this set: it was dumped by pg_dump "
                    + dumpMajor + "), or restore into a PostgreSQL " + dumpMajor + " or newer server" : ""));
        }
        return Optional.empty();
    }

    /**
     * @param database the maintenance database control statements run from
     * @param catalog  the server as that database's first query saw it
     */
    private record Probe(String database, ServerCatalog catalog) {
    }
}
