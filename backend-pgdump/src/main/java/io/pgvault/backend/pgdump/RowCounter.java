package io.pgvault.backend.pgdump;

import io.pgvault.api.PgVaultException;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Exact per-table row counts taken in the very snapshot pg_dump dumps. One psql session opens a
 * {@code REPEATABLE READ READ ONLY} transaction, exports its snapshot ({@code pg_export_snapshot()}) for
 * {@code pg_dump --snapshot}, and counts every table pg_dump will dump in that same transaction, while pg_dump runs.
 * The transaction is held open until the dump is done, so the snapshot stays importable for pg_dump's parallel
 * workers too.
 *
 * <p>The counting runs inside a savepoint: an error there (say, a table the role may not read) rolls back only the
 * savepoint, so the exported snapshot survives and the dump goes on; the set then records why it has no counts.
 * When the snapshot cannot be exported at all, pg_dump takes its own and no counts are recorded.
 */
final class RowCounter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RowCounter.class);
    private static final Pattern SNAPSHOT_ID = Pattern.compile("[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+");
    private static final String END = "pgvault-counts-end";
    private static final String FAILED = "pgvault-counts-failed";

    private final ToolProcess psql;
    private final BufferedReader out;
    private final String snapshot;
    private final String database;
    private boolean finished;

    private RowCounter(ToolProcess psql, BufferedReader out, String snapshot, String database) {
        this.psql = psql;
        this.out = out;
        this.snapshot = snapshot;
        this.database = database;
    }

    /**
     * The outcome for one database.
     *
     * @param counts      table ({@code format('%I.%I')}) to exact row count, sorted by name; empty when skipped
     * @param skipReason  why there are no counts, if there are none
     */
    record Result(Map<String, Long> counts, Optional<String> skipReason) {
        static Result skipped(String reason) {
            return new Result(Map.of(), Optional.of(reason));
        }
    }

    /**
     * Exports a snapshot and starts counting in it.
     *
     * @param session      the server
     * @param database     the database about to be dumped
     * @param tableFilter  an SQL condition on {@code n}/{@code c} selecting the tables pg_dump dumps
     * @return the counter, or empty (with the reason logged) when no snapshot could be exported
     */
    static Optional<RowCounter> start(PgSession session, String database, String tableFilter) {
        ToolCommand cmd = session.command("psql")
                .arg("-X", "-q", "-A", "-t", "-d", PgSession.conninfo(database), "-f", "-")
                .env("PGCLIENTENCODING", "UTF8")
                .build();
        ToolProcess p = session.start(cmd);
        try {
            OutputStream in = p.stdin();
            in.write(("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\n"
                    + "SELECT pg_catalog.pg_export_snapshot();\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
            BufferedReader reader = new BufferedReader(new InputStreamReader(p.stdout(), StandardCharsets.UTF_8));
            String id = reader.readLine();
            if (id == null || !SNAPSHOT_ID.matcher(id.strip()).matches()) {
                in.close();
                LOG.warn("cannot export a snapshot of database '{}' ({}: {}); pg_dump takes its own and no row"
                        + " counts are recorded", database, id, stderrOf(p));
                p.close();
                return Optional.empty();
            }
            in.write(countScript(tableFilter).getBytes(StandardCharsets.UTF_8));
            in.flush();
            return Optional.of(new RowCounter(p, reader, id.strip(), database));
        } catch (IOException | RuntimeException e) {
            p.close();
            LOG.warn("cannot export a snapshot of database '{}' ({}); no row counts are recorded", database,
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** @return the exported snapshot, for {@code pg_dump --snapshot} */
    String snapshot() {
        return snapshot;
    }

    /**
     * Reads the counts and ends the transaction. Call after pg_dump has finished.
     *
     * @return the counts, or why there are none
     */
    Result finish() {
        finished = true;
        try {
            Map<String, Long> counts = new LinkedHashMap<>();
            boolean failed = false;
            String line;
            while ((line = out.readLine()) != null && !line.equals(END)) {
                if (line.equals(FAILED)) {
                    failed = true;
                } else if (!line.isEmpty()) {
                    int bar = line.indexOf('|');
                    counts.put(Sql.fromHex(line.substring(0, bar)), Long.parseLong(line.substring(bar + 1).strip()));
                }
            }
            if (line == null) {
                String why = stderrOf(psql);
                psql.close();
                return Result.skipped("the counting session ended early: " + why);
            }
            try (OutputStream in = psql.stdin()) {
                in.write("COMMIT;\n".getBytes(StandardCharsets.UTF_8));
            }
            String stderr = psql.await().stderrTail();
            if (failed) {
                LOG.warn("row counts of database '{}' are not recorded: {}", database, stderr);
                return Result.skipped("counting failed: " + stderr);
            }
            return new Result(counts, Optional.empty());
        } catch (IOException | PgVaultException | IllegalArgumentException e) {
            psql.close();
            LOG.warn("row counts of database '{}' could not be read: {}", database, e.getMessage());
            return Result.skipped("row counts could not be read: " + e.getMessage());
        }
    }

    /** Ends the session; the transaction is rolled back if {@link #finish()} was not reached. */
    @Override
    public void close() {
        if (!finished) {
            psql.close();
        }
    }

    /**
     * The counting step, without {@code ON_ERROR_STOP}: an error rolls back to the savepoint only, so the exported
     * snapshot stays valid for pg_dump. {@code query_to_xml} counts each table with a dynamic query inside this one
     * read-only transaction (no function has to be created).
     */
    static String countScript(String tableFilter) {
        return "SET row_security = off;\n"
                + "SAVEPOINT pgvault_counts;\n"
                + "SELECT encode(convert_to(format('%I.%I', n.nspname, c.relname), 'UTF8'), 'hex'),"
                + " (pg_catalog.xpath('/row/n/text()', pg_catalog.query_to_xml("
                + "format('SELECT count(*) AS n FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text"
                + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE " + tableCondition() + " AND (" + tableFilter + ") ORDER BY 1;\n"
                + "\\if :ERROR\n"
                + "ROLLBACK TO SAVEPOINT pgvault_counts;\n"
                + "\\echo " + FAILED + "\n"
                + "\\else\n"
                + "RELEASE SAVEPOINT pgvault_counts;\n"
                + "\\endif\n"
                + "\\echo " + END + "\n";
    }

    /**
     * The tables whose rows a dump carries and a restore recreates: ordinary tables and partitions (never their
     * partitioned parents, which hold no rows of their own), permanent or unlogged, outside the system schemas and not
     * members of an extension (pg_dump leaves their data out). Materialized views are left out on purpose: a restore
     * refreshes them from the restored tables, which can differ from what a stale view held.
     *
     * @return an SQL condition on {@code c} ({@code pg_class}) and {@code n} ({@code pg_namespace})
     */
    static String tableCondition() {
        return "c.relkind = 'r' AND c.relpersistence IN ('p', 'u')"
                + " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                + " AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'"
                + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid ="
                + " 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid AND d.deptype = 'e')";
    }

    /**
     * The tables pg_dump dumps with these patterns: with {@code --table}, those tables ({@code --schema} and
     * {@code --exclude-schema} then have no effect); otherwise the included schemas (all when none) minus the
     * excluded ones; and never an excluded table.
     *
     * @return an SQL condition on {@code c} and {@code n}
     */
    static String filterCondition(List<String> includeSchemas, List<String> excludeSchemas,
            List<String> includeTables, List<String> excludeTables) {
        StringBuilder b = new StringBuilder("TRUE");
        if (!includeTables.isEmpty()) {
            b.append(" AND (").append(any(includeTables.stream().map(t -> NamePattern.parse(t).tableCondition())
                    .toList())).append(')');
        } else {
            if (!includeSchemas.isEmpty()) {
                b.append(" AND (").append(any(includeSchemas.stream().map(RowCounter::schemaCondition).toList()))
                        .append(')');
            }
            if (!excludeSchemas.isEmpty()) {
                b.append(" AND NOT (").append(any(excludeSchemas.stream().map(RowCounter::schemaCondition)
                        .toList())).append(')');
            }
        }
        if (!excludeTables.isEmpty()) {
            b.append(" AND NOT (").append(any(excludeTables.stream().map(t -> NamePattern.parse(t).tableCondition())
                    .toList())).append(')');
        }
        return b.toString();
    }

    private static String schemaCondition(String pattern) {
        return "n.nspname ~ " + Sql.literal(NamePattern.parse(pattern).nameRegex());
    }

    private static String any(List<String> conditions) {
        return conditions.stream().collect(Collectors.joining(" OR "));
    }

    private static String stderrOf(ToolProcess p) {
        try {
            return p.await().stderrTail();
        } catch (PgVaultException e) {
            return e.getMessage();
        }
    }
}
