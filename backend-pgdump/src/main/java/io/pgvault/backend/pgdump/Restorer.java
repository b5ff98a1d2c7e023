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
import io.pgvault.backend.pgdump.PgSession.ServerVersion;
import io.pgvault.spi.ReadContext;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolProcess;
import io.pgvault.spi.process.ToolResult;
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
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Restores a pg_dump set. Every database is first restored under a private staging name; only when all of them
 * restored cleanly is each existing target dropped (with {@code dropExisting}) and the staging database renamed into
 * place. A failure therefore leaves existing databases untouched and drops what was staged.
 */
final class Restorer {
    private static final Logger LOG = LoggerFactory.getLogger(Restorer.class);
    private static final int MAX_NAME_BYTES = 63;

    private final PgDumpConfig config;

    Restorer(PgDumpConfig config) {
        this.config = config;
    }

    RestoreResult restore(BackupSet set, RestoreRequest request, ReadContext ctx) {
        Instant start = Instant.now();
        SetLayout layout = SetLayout.of(set);
        List<RestoreTarget> targets = plan(set, layout, request);
        PgConnection conn = request.target().orElse(config.connection());
        try (PgSession session = PgSession.open(conn, ctx.processes(), config)) {
            Probe probe = probe(session, conn, targets);
            String maintenance = probe.database();
            ServerCatalog catalog = probe.catalog();
            List<String> conflicts = targets.stream().map(RestoreTarget::name).filter(catalog::hasDatabase).toList();
            if (!conflicts.isEmpty() && !request.dropExisting()) {
                throw new ConflictException("database(s) " + conflicts + " already exist on " + conn.host() + ":"
                        + conn.port() + "; restore into another targetDatabase or set dropExisting to replace them");
            }
            // only what existed when the conflict was checked is replaced, never a database that appeared since
            Map<String, Long> replace = new HashMap<>();
            conflicts.forEach(name -> replace.put(name, probe.catalog().database(name).orElseThrow().oid()));
            List<String> warnings = List.of();
            if (request.includeGlobals()) {
                warnings = replayGlobals(session, ctx, layout.globals().orElseThrow(), maintenance);
                // the replay creates the roles that may own the databases
                catalog = session.catalog(maintenance);
            }
            List<String> staged = stageAll(session, catalog, ctx, layout.format(), request, targets, maintenance);
            swapAll(session, catalog.server(), targets, staged, replace, maintenance);
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

    /** @return the errors other than "already exists", which the restore reports as warnings */
    private List<String> replayGlobals(PgSession session, ReadContext ctx, StoredObject globals, String maintenance) {
        // no ON_ERROR_STOP: roles that already exist (at least the connecting one) make CREATE ROLE fail harmlessly
        ToolCommand cmd = session.command("psql").arg("-X", "-q", "-d", PgSession.conninfo(maintenance), "-f", "-")
                .build();
        ToolResult result;
        try (ToolProcess p = session.start(cmd)) {
            result = ToolStreams.feed(p, ctx.openObject(globals));
        }
        List<String> errors = result.stderrTail().lines().filter(l -> l.contains("ERROR:")).toList();
        List<String> serious = errors.stream().filter(l -> !l.contains("already exists")).toList();
        if (!serious.isEmpty()) {
            LOG.warn("replaying globals (roles, tablespaces) reported errors; the restore continues: {}",
                    String.join(" | ", serious));
        } else if (!errors.isEmpty()) {
            LOG.info("replayed globals; {} role(s)/tablespace(s) already existed and were kept", errors.size());
        } else {
            LOG.info("replayed globals (roles, tablespaces)");
        }
        return serious.stream().map(l -> "globals: " + l.strip()).toList();
    }

    /**
     * Creates every staging database in one psql run, then loads each. On any failure every staging database is
     * dropped ({@code IF EXISTS}: a failed run may have created only some).
     */
    private List<String> stageAll(PgSession session, ServerCatalog catalog, ReadContext ctx, DumpFormat format,
            RestoreRequest request, List<RestoreTarget> targets, String maintenance) {
        String prefix = String.format("pgvault_restore_%08x", ThreadLocalRandom.current().nextInt());
        List<String> staged = new ArrayList<>();
        StringBuilder create = new StringBuilder();
        for (int i = 0; i < targets.size(); i++) {
            RestoreTarget t = targets.get(i);
            staged.add(prefix + "_" + i);
            create.append("CREATE DATABASE ").append(Sql.ident(staged.get(i))).append(" TEMPLATE template0 ENCODING ")
                    .append(Sql.literal(t.encoding()));
            if (!t.owner().isEmpty() && catalog.roles().contains(t.owner())) {
                create.append(" OWNER ").append(Sql.ident(t.owner()));
            }
            create.append(";\n");
        }
        try {
            session.execute(maintenance, create.toString());
            for (int i = 0; i < targets.size(); i++) {
                load(session, ctx, format, request, targets.get(i), staged.get(i));
            }
            return staged;
        } catch (RuntimeException | Error e) {
            dropQuietly(session, catalog.server(), staged, maintenance, e);
            throw e;
        }
    }

    private static void load(PgSession session, ReadContext ctx, DumpFormat format, RestoreRequest request,
            RestoreTarget t, String staging) {
        Path local = DumpLoader.stageLocally(ctx, format, request, t);
        try {
            DumpLoader.createSchemas(session, format, request, t, staging);
            LOG.info("restoring database '{}' into staging database {} ({})", t.source(), staging, format.label());
            DumpLoader.load(session, ctx, format, request, t, staging, local);
        } finally {
            ToolStreams.deleteQuietly(local == null ? null : Files.isDirectory(local) ? local : local.getParent());
        }
    }

    /**
     * Puts each staging database in place: drops the existing database it replaces and renames the staging one, in
     * one psql run per database. ON_ERROR_STOP keeps the rename from running after a failed drop.
     *
     * @param replace the existing databases to replace, by name, with their OIDs when the conflict was checked
     */
    private static void swapAll(PgSession session, ServerVersion server, List<RestoreTarget> targets,
            List<String> staged, Map<String, Long> replace, String maintenance) {
        for (int i = 0; i < targets.size(); i++) {
            RestoreTarget t = targets.get(i);
            String sql = "ALTER DATABASE " + Sql.ident(staged.get(i)) + " RENAME TO " + Sql.ident(t.name()) + ";\n";
            if (replace.containsKey(t.name())) {
                LOG.info("dropping existing database '{}' to replace it (dropExisting)", t.name());
                sql = dropStatement(server, t.name()) + sql;
            }
            try {
                session.execute(maintenance, sql);
            } catch (RuntimeException e) {
                swapFailed(session, server, t, staged, i, replace.get(t.name()), maintenance, e);
            }
            LOG.info("database '{}' restored as '{}'", t.source(), t.name());
        }
    }

    /**
     * Asks the server how far a failed swap got, and cleans up accordingly. If the database to replace is still
     * there (same OID), the drop failed: nothing was replaced, and the staging database is dropped like the later
     * ones. Otherwise the rename failed: the restored data is in the staging database, which is kept and named in
     * the error. Returns only when the swap turns out to have completed.
     *
     * @param replacedOid the OID of the database this swap was to replace, or null
     */
    private static void swapFailed(PgSession session, ServerVersion server, RestoreTarget t, List<String> staged,
            int i, Long replacedOid, String maintenance, RuntimeException e) {
        String staging = staged.get(i);
        ServerCatalog now = null;
        try {
            now = session.catalog(maintenance);
        } catch (RuntimeException probe) {
            e.addSuppressed(probe);
        }
        if (now != null && !now.hasDatabase(staging)) {
            if (now.hasDatabase(t.name())) {
                LOG.warn("psql reported an error after renaming {} to '{}', which completed: {}", staging, t.name(),
                        e.getMessage());
                return;
            }
            dropQuietly(session, server, staged.subList(i + 1, staged.size()), maintenance, e);
            throw e;
        }
        boolean dropFailed = now != null && replacedOid != null
                && now.database(t.name()).map(d -> d.oid() == replacedOid).orElse(false);
        if (dropFailed) {
            dropQuietly(session, server, staged.subList(i, staged.size()), maintenance, e);
            throw e;
        }
        dropQuietly(session, server, staged.subList(i + 1, staged.size()), maintenance, e);
        throw new PgVaultException(ErrorCode.TOOL_FAILED, "database '" + t.source() + "' was restored but could not"
                + " be renamed to '" + t.name() + "'; the restored data is in database " + staging + ": "
                + e.getMessage(), e);
    }

    private static String dropStatement(ServerVersion server, String name) {
        if (server.major() >= 13) {
            return "DROP DATABASE IF EXISTS " + Sql.ident(name) + " WITH (FORCE);\n";
        }
        return "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = " + Sql.literal(name)
                + " AND pid <> pg_backend_pid();\nDROP DATABASE IF EXISTS " + Sql.ident(name) + ";\n";
    }

    private static void dropQuietly(PgSession session, ServerVersion server, List<String> staged, String maintenance,
            Throwable cause) {
        for (String db : staged) {
            try {
                // FORCE: the backend of a tool killed mid-restore may not have noticed yet
                session.execute(maintenance, dropStatement(server, db));
                LOG.info("removed staging database {} after a failed restore", db);
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
                LOG.warn("could not drop staging database {} after a failed restore; drop it by hand: {}", db,
                        e.getMessage());
            }
        }
    }

    /**
     * @param database the maintenance database control statements run from
     * @param catalog  the server as that database's first query saw it
     */
    private record Probe(String database, ServerCatalog catalog) {
    }
}
