package io.pgvault.backend.pgdump;

import io.pgvault.api.IntegrityException;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.StoredObject;
import io.pgvault.spi.ReadContext;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolProcess;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Loads one database's dump into a (staging) database: psql for plain dumps, pg_restore for archives, streamed from
 * the repository or, where pg_restore needs a seekable archive, staged in the scratch directory first.
 */
final class DumpLoader {
    private DumpLoader() {
    }

    /**
     * Formats that need a seekable file are decoded (and so fully verified) before they are loaded; the restore does
     * this for a set's first database before it creates any database.
     */
    static Path stageLocally(ReadContext ctx, DumpFormat format, RestoreRequest request, RestoreTarget t) {
        if (format == DumpFormat.DIRECTORY) {
            Path dir = ToolStreams.privateDirectory(ctx.scratchDirectory(), "restore-");
            for (StoredObject o : t.objects()) {
                ToolStreams.materialize(ctx.openObject(o), dir.resolve(fileOf(o)));
            }
            return dir;
        }
        if (format == DumpFormat.CUSTOM && request.jobs() > 1) {
            // parallel pg_restore needs a seekable archive
            Path file = ToolStreams.privateDirectory(ctx.scratchDirectory(), "restore-").resolve(
                    ObjectNames.dump(t.source(), DumpFormat.CUSTOM));
            ToolStreams.materialize(ctx.openObject(t.objects().get(0)), file);
            return file;
        }
        return null;
    }

    private static String fileOf(StoredObject o) {
        String file = o.attribute("file");
        if (file.isEmpty() || file.contains("/") || file.startsWith(".")) {
            throw new IntegrityException("object " + o.name()
                    + " of a directory-format dump does not record a plain file name");
        }
        return file;
    }

    static void load(PgSession session, ReadContext ctx, DumpFormat format, RestoreRequest request,
            RestoreTarget t, String staging, Path local) {
        String db = PgSession.conninfo(staging);
        if (format == DumpFormat.PLAIN) {
            // no --single-transaction: psql would commit at end of input, also the end a killed remote client gives
            ToolCommand cmd = session.command("psql").arg("-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-f", "-")
                    .build();
            // psql runs meta-commands from its input: only SQL and pg_dump's own \restrict pair get through, and
            // where psql knows restricted mode the whole script runs under a key of this restore's own
            boolean restricted = session.psqlRestricts();
            try (ToolProcess p = session.start(cmd)) {
                InputStream script = PsqlScriptGuard.of(Optional.empty()).filter(ctx.openObject(t.objects().get(0)));
                ToolStreams.feed(p, RestrictedScript.forPsql(script, restricted, true));
            }
            return;
        }
        ToolCommand.Builder cmd = session.command("pg_restore").arg("--exit-on-error", "-d", db)
                .args(selection(request));
        int jobs = request.jobs();
        if (local == null) {
            try (ToolProcess p = session.start(cmd.arg("--single-transaction").build())) {
                ToolStreams.feed(p, ctx.openObject(t.objects().get(0)));
            }
            return;
        }
        if (format == DumpFormat.DIRECTORY) {
            cmd.arg("-Fd");
        }
        if (jobs > 1) {
            cmd.arg("--jobs", Integer.toString(jobs));
        } else {
            cmd.arg("--single-transaction");
        }
        session.run(cmd.arg(local.toString()).build());
    }

    /** pg_restore's {@code -n}/{@code -t}: {@code schema.table} selects a table within a schema. */
    private static List<String> selection(RestoreRequest request) {
        Set<String> args = new LinkedHashSet<>();
        request.schemas().forEach(s -> args.add("--schema=" + s));
        for (String table : request.tables()) {
            int dot = table.indexOf('.');
            if (dot > 0) {
                args.add("--schema=" + table.substring(0, dot));
                args.add("--table=" + table.substring(dot + 1));
            } else {
                args.add("--table=" + table);
            }
        }
        return List.copyOf(args);
    }

    /**
     * Creates, in one psql run, the schemas a load needs but will not create itself: a dump taken with --table lacks
     * the CREATE SCHEMA of its tables (the set recorded which they are), and pg_restore -n restores a schema's
     * contents but not the schema.
     */
    static void createSchemas(PgSession session, DumpFormat format, RestoreRequest request, RestoreTarget t,
            String staging) {
        Set<String> schemas = new LinkedHashSet<>();
        String recorded = t.objects().get(0).attribute("schemas");
        if (!recorded.isEmpty()) {
            schemas.addAll(Sql.parseJsonArray(recorded));
        }
        if (format != DumpFormat.PLAIN) {
            schemas.addAll(request.schemas());
            request.tables().stream().filter(n -> n.indexOf('.') > 0).forEach(n -> schemas.add(n.substring(0,
                    n.indexOf('.'))));
        }
        if (schemas.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder();
        schemas.forEach(s -> sql.append("CREATE SCHEMA IF NOT EXISTS ").append(Sql.ident(s)).append(";\n"));
        session.execute(staging, sql.toString());
    }
}
