package io.pgvault.testkit;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * Deterministic demo content to back up and restore: SQL generated on the server (with {@code generate_series},
 * hashes and seeded {@code random()}), so building even hundreds of megabytes is quick and every build is alike.
 *
 * <pre>{@code
 * pg.createDatabase("awkward");
 * DemoDatabase.awkward().applyTo(pg, "awkward");
 * Map<String, String> before = DemoDatabase.fingerprint(pg, "awkward");
 * // ... back up, restore into "copy" ...
 * assertThat(DemoDatabase.fingerprint(pg, "copy")).isEqualTo(before);
 * }</pre>
 *
 * @since 0.1.0
 */
public final class DemoDatabase {
    /**
     * The role {@link #awkward()} grants privileges to; created when missing, since roles belong to the cluster
     * and a logical dump does not carry them. Restore targets need it too: see {@link #createRoles}.
     *
     * @since 0.1.0
     */
    public static final String READER_ROLE = "pgvault_demo_reader";
    /**
     * Tables {@link #awkward()} creates in schema {@code bulk}.
     *
     * @since 0.1.0
     */
    public static final int AWKWARD_BULK_TABLES = 300;
    /**
     * Large objects {@link #awkward()} creates, the biggest 1 MiB.
     *
     * @since 0.1.0
     */
    public static final int AWKWARD_LARGE_OBJECTS = 6;
    /**
     * The table {@link #randomText(int)} fills.
     *
     * @since 0.1.0
     */
    public static final String RANDOM_TEXT_TABLE = "public.random_text";

    private static final String CREATE_ROLES = """
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '%s') THEN
                    CREATE ROLE %s NOLOGIN;
                END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL; -- another session created it just now
            END
            $$;
            """.formatted(READER_ROLE, READER_ROLE);

    private final String description;
    private final String setup;
    private final List<String> parallelParts;
    private final String finish;

    private DemoDatabase(String description, String setup, List<String> parallelParts, String finish) {
        this.description = description;
        this.setup = setup;
        this.parallelParts = List.copyOf(parallelParts);
        this.finish = finish;
    }

    /**
     * A small web shop in schema {@code shop}: customers, products, orders, order items, an audit log (jsonb, filled
     * by a trigger), an enum, numeric prices, timestamps, identity columns, indexes, foreign keys, a view and a
     * function. At scale 1: 1,000 customers, 200 products, 3,000 orders, 9,000 items, about 3,000 audit rows
     * (some 11 MB).
     *
     * @param scale multiplies every row count; at least 1
     * @return the demo
     * @since 0.1.0
     */
    public static DemoDatabase realistic(int scale) {
        if (scale < 1) {
            throw new IllegalArgumentException("scale must be at least 1, was " + scale);
        }
        return new DemoDatabase("realistic(scale=" + scale + ")",
                DemoSql.REALISTIC.replace("${scale}", Integer.toString(scale)), List.of(), "");
    }

    /**
     * The hard cases for a logical round trip, built by one psql run in well under a second: schemas and tables
     * with unicode, spaces and quotes in their names; emoji, right-to-left and combining text, control characters
     * and COPY's own escapes in the data; NULL next to empty strings; {@code bytea} with all 256 byte values;
     * {@value #AWKWARD_LARGE_OBJECTS} large objects up to 1 MiB; sequences advanced with {@code setval}, identity
     * and serial columns; views, a materialized view, plpgsql functions, triggers, domains, enums, composite types,
     * arrays, jsonb, xml, ranges, comments, row level security, GRANTs to {@value #READER_ROLE}, a partitioned table,
     * a generated column, tables without columns or rows, and {@value #AWKWARD_BULK_TABLES} small tables
     * {@code bulk.t_001} to {@code bulk.t_300}.
     *
     * @return the demo
     * @since 0.1.0
     */
    public static DemoDatabase awkward() {
        return new DemoDatabase("awkward", CREATE_ROLES + DemoSql.AWKWARD, List.of(), "");
    }

    /**
     * One table, {@value #RANDOM_TEXT_TABLE} {@code (id bigint primary key, body text)}, of random but text-like
     * rows: English words mixed with hex and base64 tokens and numbers, about 200 bytes a row, so a plain dump
     * compresses about 1.8:1 with zstd -3 (like real data; unlike pgbench's filler, which compresses 35:1). Rows
     * stay below the TOAST threshold, so the heap is about {@code megabytes} MiB. Generated server-side by eight
     * seeded parts, which {@link #applyTo} runs on up to as many sessions as there are processors (roughly
     * 400 MiB in 10-20 s on two cores).
     *
     * @param megabytes approximate size of the table in MiB; at least 1
     * @return the demo
     * @since 0.1.0
     */
    public static DemoDatabase randomText(int megabytes) {
        if (megabytes < 1) {
            throw new IllegalArgumentException("megabytes must be at least 1, was " + megabytes);
        }
        return RandomText.of(megabytes);
    }

    static DemoDatabase of(String description, String setup, List<String> parallelParts, String finish) {
        return new DemoDatabase(description, setup, parallelParts, finish);
    }

    /**
     * @return what this demo is, e.g. {@code realistic(scale=2)}
     * @since 0.1.0
     */
    public String description() {
        return description;
    }

    /**
     * @return the whole script, to run in an existing, empty database with psql (it uses no meta-commands); the
     *         same content {@link #applyTo} builds
     * @since 0.1.0
     */
    public String sql() {
        StringBuilder sb = new StringBuilder(setup);
        parallelParts.forEach(p -> sb.append('\n').append(p));
        return sb.append('\n').append(finish).toString();
    }

    /**
     * Builds this demo in an existing, empty database, running independent parts on parallel sessions.
     *
     * @param cluster  the cluster
     * @param database the database
     * @throws io.pgvault.api.ToolException when a statement fails
     * @since 0.1.0
     */
    public void applyTo(PostgresCluster cluster, String database) {
        Objects.requireNonNull(cluster, "cluster");
        cluster.psql(database, setup);
        if (!parallelParts.isEmpty()) {
            int sessions = Math.max(1, Math.min(parallelParts.size(), Runtime.getRuntime().availableProcessors()));
            ExecutorService pool = Executors.newFixedThreadPool(sessions);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (String part : parallelParts) {
                    results.add(pool.submit(() -> cluster.psql(database, part)));
                }
                for (Future<String> f : results) {
                    f.get();
                }
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r
                        : new PgVaultException(ErrorCode.TOOL_FAILED, "building " + description + " failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PgVaultException(ErrorCode.INTERRUPTED, "interrupted while building " + description, e);
            } finally {
                pool.shutdownNow();
            }
        }
        if (!finish.isBlank()) {
            cluster.psql(database, finish);
        }
    }

    /**
     * Creates the roles the demos grant privileges to, if missing; run it on a restore target cluster before
     * restoring a dump of {@link #awkward()}.
     *
     * @param cluster the cluster
     * @since 0.1.0
     */
    public static void createRoles(PostgresCluster cluster) {
        cluster.psql("postgres", CREATE_ROLES);
    }

    /**
     * Exact row counts of every user table (partitions, not their parents) and populated materialized view.
     *
     * @param cluster  the cluster
     * @param database the database
     * @return schema-qualified, quoted-where-needed name ({@code format('%I.%I')}) to row count, sorted by name
     * @since 0.1.0
     */
    public static Map<String, Long> rowCounts(PostgresCluster cluster, String database) {
        List<String> tables = tables(cluster, database);
        Map<String, Long> counts = new LinkedHashMap<>();
        if (tables.isEmpty()) {
            return counts;
        }
        String sql = tables.stream()
                .map(t -> "SELECT " + PostgresCluster.quoteLiteral(t) + ", count(*) FROM " + t)
                .collect(Collectors.joining("\nUNION ALL ")) + ";";
        for (List<String> row : cluster.query(database, sql)) {
            counts.put(row.get(0), Long.parseLong(row.get(1)));
        }
        return sortedByName(counts);
    }

    /**
     * A fingerprint of a database's content, to prove a restore: for every table and populated materialized view
     * its row count and an order-independent MD5 of its rows' text; for every sequence its last value and whether it
     * was called; for large objects their number and an MD5 over each one's oid and content. Meant for databases up
     * to some hundreds of megabytes (it reads every row once).
     *
     * @param cluster  the cluster
     * @param database the database
     * @return entries such as {@code table app.values -> 4 rows, md5 ...}, sorted by key
     * @since 0.1.0
     */
    public static Map<String, String> fingerprint(PostgresCluster cluster, String database) {
        List<String> parts = new ArrayList<>();
        for (String t : tables(cluster, database)) {
            parts.add("SELECT " + PostgresCluster.quoteLiteral("table " + t)
                    + ", count(*) || ' rows, md5 ' || md5(coalesce(string_agg(h, '' ORDER BY h), ''))"
                    + " FROM (SELECT md5(r::text) AS h FROM " + t + " r) rows");
        }
        parts.add("SELECT 'sequence ' || format('%I.%I', schemaname, sequencename), coalesce(last_value::text, "
                + "'never called') FROM pg_sequences");
        parts.add("SELECT 'large objects', count(*) || ' objects, md5 ' || md5(coalesce(string_agg(oid::text || ':' "
                + "|| md5(lo_get(oid)), ',' ORDER BY oid), '')) FROM pg_largeobject_metadata");
        Map<String, String> print = new LinkedHashMap<>();
        for (List<String> row : cluster.query(database, String.join("\nUNION ALL ", parts) + ";")) {
            print.put(row.get(0), row.get(1));
        }
        return sortedByName(print);
    }

    private static List<String> tables(PostgresCluster cluster, String database) {
        return cluster.query(database, """
                SELECT format('%I.%I', n.nspname, c.relname)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'm') AND c.relpersistence <> 't' AND c.relispopulated
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
                ORDER BY 1;
                """).stream().map(r -> r.get(0)).toList();
    }

    private static <V> Map<String, V> sortedByName(Map<String, V> map) {
        Map<String, V> sorted = new LinkedHashMap<>();
        map.keySet().stream().sorted().forEach(k -> sorted.put(k, map.get(k)));
        return Collections.unmodifiableMap(sorted);
    }

    @Override
    public String toString() {
        return "DemoDatabase[" + description + "]";
    }
}
