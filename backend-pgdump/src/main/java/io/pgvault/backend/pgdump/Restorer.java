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
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
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
            String maintenance = maintenanceDatabase(session, conn, targets);
            ServerVersion server = session.serverVersion(maintenance);
            Set<String> existing = new HashSet<>();
            session.databases(maintenance).forEach(d -> existing.add(d.name()));
            List<String> conflicts = targets.stream().map(RestoreTarget::name).filter(existing::contains).toList();
            if (!conflicts.isEmpty() && !request.dropExisting()) {
                throw new ConflictException("database(s) " + conflicts + " already exist on " + conn.host() + ":"
                        + conn.port() + "; restore into another targetDatabase or set dropExisting to replace them");
            }
            List<String> warnings = request.includeGlobals()
                    ? replayGlobals(session, ctx, layout.globals().orElseThrow(), maintenance)
                    : List.of();
            Set<String> roles = new HashSet<>(session.roles(maintenance));
            List<String> staged = stageAll(session, server, ctx, layout.format(), request, targets, roles, maintenance);
            swapAll(session, server, targets, staged, existing, maintenance);
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
     * A database to run control statements from, like createdb picks one: {@code postgres}, else {@code template1},
     * else the connection's own database (which, in a disaster, may be the very one being restored and gone). Never
     * one that is about to be replaced.
     */
    private static String maintenanceDatabase(PgSession session, PgConnection conn, List<RestoreTarget> targets) {
        Set<String> candidates = new LinkedHashSet<>(List.of("postgres", "template1", conn.database()));
        targets.forEach(t -> candidates.remove(t.name()));
        RuntimeException first = null;
        for (String db : candidates) {
            try {
                session.serverVersion(db);
                return db;
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

    private List<String> stageAll(PgSession session, ServerVersion server, ReadContext ctx, DumpFormat format,
            RestoreRequest request, List<RestoreTarget> targets, Set<String> roles, String maintenance) {
        String prefix = String.format("pgvault_restore_%08x", ThreadLocalRandom.current().nextInt());
        List<String> staged = new ArrayList<>();
        try {
            for (int i = 0; i < targets.size(); i++) {
                RestoreTarget t = targets.get(i);
                String staging = prefix + "_" + i;
                Path local = DumpLoader.stageLocally(ctx, format, request, t);
                StringBuilder create = new StringBuilder("CREATE DATABASE ").append(Sql.ident(staging))
                        .append(" TEMPLATE template0 ENCODING ").append(Sql.literal(t.encoding()));
                if (!t.owner().isEmpty() && roles.contains(t.owner())) {
                    create.append(" OWNER ").append(Sql.ident(t.owner()));
                }
                session.execute(maintenance, create.append(";\n").toString());
                staged.add(staging);
                DumpLoader.createRecordedSchemas(session, t, staging);
                LOG.info("restoring database '{}' into staging database {} ({})", t.source(), staging,
                        format.label());
                try {
                    DumpLoader.load(session, ctx, format, request, t, staging, local);
                } finally {
                    ToolStreams.deleteQuietly(local == null ? null
                            : Files.isDirectory(local) ? local : local.getParent());
                }
            }
            return staged;
        } catch (RuntimeException | Error e) {
            dropQuietly(session, server, staged, maintenance, e);
            throw e;
        }
    }

    private static void swapAll(PgSession session, ServerVersion server, List<RestoreTarget> targets, List<String> staged,
            Set<String> existing, String maintenance) {
        for (int i = 0; i < targets.size(); i++) {
            RestoreTarget t = targets.get(i);
            String staging = staged.get(i);
            try {
                if (existing.contains(t.name())) {
                    LOG.info("dropping existing database '{}' to replace it (dropExisting)", t.name());
                    session.execute(maintenance, dropStatement(server, t.name()));
                }
            } catch (RuntimeException e) {
                dropQuietly(session, server, staged.subList(i, staged.size()), maintenance, e);
                throw e;
            }
            try {
                session.execute(maintenance, "ALTER DATABASE " + Sql.ident(staging) + " RENAME TO "
                        + Sql.ident(t.name()) + ";\n");
            } catch (RuntimeException e) {
                dropQuietly(session, server, staged.subList(i + 1, staged.size()), maintenance, e);
                throw new PgVaultException(ErrorCode.TOOL_FAILED, "database '" + t.source()
                        + "' was restored but could not be renamed to '" + t.name() + "'; the restored data is in"
                        + " database " + staging + ": " + e.getMessage(), e);
            }
            LOG.info("database '{}' restored as '{}'", t.source(), t.name());
        }
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
                LOG.info("dropped staging database {} after a failed restore", db);
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
                LOG.warn("could not drop staging database {} after a failed restore; drop it by hand: {}", db,
                        e.getMessage());
            }
        }
    }
}
