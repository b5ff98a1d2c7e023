package io.pgvault.backend.pgdump;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.NotFoundException;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.RowCounts;
import io.pgvault.api.StoredObject;
import io.pgvault.api.ToolException;
import io.pgvault.backend.pgdump.PgSession.DatabaseInfo;
import io.pgvault.backend.pgdump.PgSession.ServerVersion;
import io.pgvault.spi.BackupContext;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/** Takes one backup: globals first if asked, then one dump per database, each streamed into the repository. */
final class Dumper {
    private static final Logger LOG = LoggerFactory.getLogger(Dumper.class);

    private final PgDumpConfig config;
    private final AtomicReference<String> pgDumpVersion;
    /** database to table to exact row count, in dump order */
    private final Map<String, Map<String, Long>> rowCounts = new LinkedHashMap<>();
    private final List<String> rowCountsSkipped = new ArrayList<>();

    Dumper(PgDumpConfig config, AtomicReference<String> pgDumpVersion) {
        this.config = config;
        this.pgDumpVersion = pgDumpVersion;
    }

    io.pgvault.spi.SetFacts backup(BackupContext ctx) {
        String maintenance = config.connection().database();
        try (PgSession session = PgSession.open(config.connection(), ctx.processes(), config)) {
            String clientVersion = clientVersion(session);
            ServerCatalog catalog = session.catalog(maintenance);
            ServerVersion server = catalog.server();
            checkCompatible(clientVersion, server);
            List<DatabaseInfo> databases = select(catalog.databases());
            List<StoredObject> objects = new ArrayList<>();
            if (config.includeGlobals()) {
                objects.add(dumpGlobals(session, ctx));
            }
            for (DatabaseInfo db : databases) {
                objects.addAll(dumpDatabase(session, ctx, db));
            }
            List<String> names = databases.stream().map(DatabaseInfo::name).toList();
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("format", config.format().label());
            attributes.put("databases", Sql.jsonArray(names));
            attributes.put("databaseCount", Integer.toString(names.size()));
            attributes.put("allDatabases", Boolean.toString(config.allDatabases()));
            attributes.put("globals", Boolean.toString(config.includeGlobals()));
            attributes.put("schemaOnly", Boolean.toString(config.schemaOnly()));
            attributes.put("noOwner", Boolean.toString(config.noOwner()));
            attributes.put("pgDumpOptions", String.join(" ", scopeArgs()));
            attributes.put("serverVersion", server.text());
            attributes.put("serverVersionNum", Integer.toString(server.num()));
            attributes.put("clientVersion", clientVersion);
            attributes.put("host", config.connection().host() + ":" + config.connection().port());
            recordRowCounts(attributes);
            String source = config.allDatabases() ? "*" : String.join(",", names);
            return io.pgvault.spi.SetFacts.logical(source, attributes);
        }
    }

    /** Runs {@code pg_dump --version} once per strategy; a failure is not remembered. */
    private String clientVersion(PgSession session) {
        String v = pgDumpVersion.get();
        if (v == null) {
            v = session.pgDumpVersion();
            pgDumpVersion.compareAndSet(null, v);
        }
        return v;
    }

    private static void checkCompatible(String clientVersion, ServerVersion server) {
        java.util.OptionalInt major = PgSession.toolMajor(clientVersion);
        if (major.isPresent() && major.getAsInt() < server.major()) {
            throw new ConfigurationException(clientVersion + " cannot dump a PostgreSQL " + server.major()
                    + " server (" + server.text() + "): point PgConnection.binDir at client tools of version "
                    + server.major() + " or newer");
        }
    }

    private List<DatabaseInfo> select(List<DatabaseInfo> all) {
        if (config.allDatabases()) {
            return all.stream().filter(d -> d.allowConnections() && !d.template()).toList();
        }
        List<DatabaseInfo> out = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : config.namedDatabases()) {
            all.stream().filter(d -> d.name().equals(name)).findFirst().ifPresentOrElse(out::add,
                    () -> missing.add(name));
        }
        if (!missing.isEmpty()) {
            throw new NotFoundException("database(s) " + missing + " do not exist on "
                    + config.connection().host() + ":" + config.connection().port());
        }
        return out;
    }

    private StoredObject dumpGlobals(PgSession session, BackupContext ctx) {
        ToolCommand.Builder cmd = session.command("pg_dumpall").arg("--globals-only")
                .arg("-d", PgSession.conninfo(config.connection().database()));
        if (config.noRolePasswords()) {
            cmd.arg("--no-role-passwords");
        }
        if (config.noPrivileges()) {
            cmd.arg("--no-privileges");
        }
        Map<String, String> attrs = Map.of("role", "globals", "format", DumpFormat.PLAIN.label());
        StoredObject o = stream(session, cmd.build(), ctx, ObjectNames.GLOBALS, attrs);
        LOG.info("pg_dumpall --globals-only: {} bytes", o.logicalBytes());
        return o;
    }

    private List<StoredObject> dumpDatabase(PgSession session, BackupContext ctx, DatabaseInfo db) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("role", "dump");
        attrs.put("database", db.name());
        attrs.put("format", config.format().label());
        attrs.put("owner", db.owner());
        attrs.put("encoding", db.encoding());
        if (!config.includeTables().isEmpty()) {
            // pg_dump --table leaves the tables' schemas out; the restore creates them from this list
            attrs.put("schemas", Sql.jsonArray(schemasOfIncludedTables(session, db.name())));
        }
        ToolCommand.Builder cmd = session.command("pg_dump").args(scopeArgs());
        List<StoredObject> objects;
        Optional<RowCounter> counter = startCounting(session, db.name());
        try {
            counter.ifPresent(c -> cmd.arg("--snapshot=" + c.snapshot()));
            if (config.format() == DumpFormat.DIRECTORY) {
                objects = dumpDirectory(session, ctx, db, cmd, attrs);
            } else {
                cmd.arg(config.format() == DumpFormat.PLAIN ? "-Fp" : "-Fc");
                if (config.format() == DumpFormat.CUSTOM) {
                    cmd.arg("-Z0");
                }
                cmd.arg("-d", PgSession.conninfo(db.name()));
                objects = List.of(stream(session, cmd.build(), ctx, ObjectNames.dump(db.name(), config.format()),
                        attrs));
            }
            counter.ifPresent(c -> {
                RowCounter.Result r = c.finish();
                r.skipReason().ifPresentOrElse(why -> rowCountsSkipped.add(db.name() + ": " + why),
                        () -> rowCounts.put(db.name(), r.counts()));
            });
        } finally {
            counter.ifPresent(RowCounter::close);
        }
        LOG.info("pg_dump of database '{}' ({}): {} bytes in {} object(s)", db.name(), config.format().label(),
                objects.stream().mapToLong(StoredObject::logicalBytes).sum(), objects.size());
        return objects;
    }

    /**
     * Streams a tool's standard output into one object. The writer fails when the tool fails, so the repository
     * put is abandoned; when the repository fails, the tool is killed.
     */
    private static StoredObject stream(PgSession session, ToolCommand command, BackupContext ctx, String name,
            Map<String, String> attrs) {
        AtomicReference<ToolException> toolFailure = new AtomicReference<>();
        try (ToolProcess p = session.start(command)) {
            p.stdin().close();
            return ctx.writeObject(name, attrs, out -> {
                try {
                    ToolStreams.copy(p.stdout(), out);
                } catch (IOException e) {
                    p.killTree();
                    throw e;
                }
                try {
                    p.await();
                } catch (ToolException e) {
                    toolFailure.set(e);
                    throw e;
                }
            });
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "cannot close the input of " + command.tool(), e);
        } catch (RuntimeException e) {
            ToolException tool = toolFailure.get();
            if (tool != null && tool != e) {
                // the repository may wrap what the writer threw; the tool's own failure is the news
                tool.addSuppressed(e);
                throw tool;
            }
            throw e;
        }
    }

    /**
     * pg_dump writes the directory itself; each file it has finished is streamed into the repository and deleted
     * while it runs ({@link DirectoryDump}).
     */
    private List<StoredObject> dumpDirectory(PgSession session, BackupContext ctx, DatabaseInfo db,
            ToolCommand.Builder cmd, Map<String, String> attrs) {
        // pg_dump creates the directory itself: give it a fresh name inside a private one
        Path parent = ToolStreams.privateDirectory(ctx.scratchDirectory(), "pgdump-");
        Path dir = parent.resolve(ObjectNames.dump(db.name(), DumpFormat.DIRECTORY));
        // -v: the progress lines tell which files are finished, in English; --no-sync: pg_dump would reopen every
        // file at the end to fsync it, and they are sent and deleted by then
        cmd.arg("-Fd", "-Z0", "--jobs", Integer.toString(config.jobs()), "-v", "--no-sync", "-f", dir.toString())
                .arg("-d", PgSession.conninfo(db.name()))
                .env("LC_MESSAGES", "C").env("LC_ALL", "");
        try {
            return new DirectoryDump(ctx, dir, db.name(), attrs, config.jobs()).run(session, cmd.build());
        } finally {
            ToolStreams.deleteQuietly(parent);
        }
    }

    /** @return a counter holding the snapshot pg_dump is to use, when counts are wanted and one could be exported */
    private Optional<RowCounter> startCounting(PgSession session, String database) {
        if (!config.rowCounts()) {
            return Optional.empty();
        }
        if (config.schemaOnly()) {
            rowCountsSkipped.add(database + ": schema-only dump");
            return Optional.empty();
        }
        Optional<RowCounter> counter = RowCounter.start(session, database, RowCounter.filterCondition(
                config.includeSchemas(), config.excludeSchemas(), config.includeTables(), config.excludeTables()));
        if (counter.isEmpty()) {
            rowCountsSkipped.add(database + ": no snapshot could be exported (see the log)");
        }
        return counter;
    }

    /**
     * {@code rowCounts}: {@code {"db": {"schema.table": n, ...}, ...}} for every database counted;
     * {@code rowCountsSkipped}: why a database has none.
     */
    private void recordRowCounts(Map<String, String> attributes) {
        if (!rowCounts.isEmpty()) {
            attributes.put(RowCounts.ATTRIBUTE, new RowCounts(rowCounts).toAttribute());
        }
        if (!rowCountsSkipped.isEmpty()) {
            attributes.put("rowCountsSkipped", String.join("; ", rowCountsSkipped));
        }
    }

    private List<String> schemasOfIncludedTables(PgSession session, String database) {
        String any = config.includeTables().stream().map(p -> NamePattern.parse(p).tableCondition())
                .collect(java.util.stream.Collectors.joining(" OR "));
        return session.query(database, "SELECT DISTINCT encode(convert_to(n.nspname, 'UTF8'), 'hex')"
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') AND (" + any + ")").stream()
                .map(Sql::fromHex).sorted().toList();
    }

    /** The options that decide what is dumped; recorded in the set. */
    List<String> scopeArgs() {
        List<String> args = new ArrayList<>();
        if (config.schemaOnly()) {
            args.add("--schema-only");
        }
        if (config.noOwner()) {
            args.add("--no-owner");
        }
        if (config.noPrivileges()) {
            args.add("--no-privileges");
        }
        config.includeSchemas().forEach(p -> args.add("--schema=" + p));
        config.excludeSchemas().forEach(p -> args.add("--exclude-schema=" + p));
        config.includeTables().forEach(p -> args.add("--table=" + p));
        config.excludeTables().forEach(p -> args.add("--exclude-table=" + p));
        args.forEach(PgSession::requireArgvSafe);
        return args;
    }
}
