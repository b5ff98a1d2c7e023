package io.pgvault.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Proves that a restored database holds what its source held, by comparing them on the server:
 * <ul>
 *     <li>the same tables (and populated materialized views), each with exactly the same number of rows;</li>
 *     <li>the same rows: per table, an order-independent 128-bit hash of the multiset of rows (the sums of the two
 *     halves of {@code md5(row::text)} over all rows), so one changed, missing or duplicated value in any column
 *     shows; constant memory on the server, whatever the table's size;</li>
 *     <li>the same sequence values and large objects;</li>
 *     <li>the same schema: {@code pg_dump --schema-only} of both, line by line (tables, columns, types, defaults,
 *     constraints, indexes, views, functions, triggers, owners, grants, comments).</li>
 * </ul>
 * The source must not change between the backup and the proof, or the proof (rightly) fails.
 */
final class RestoreProof {
    private static final int MAX_LISTED_DIFFERENCES = 20;

    private RestoreProof() {
    }

    /**
     * What the comparison found.
     *
     * @param rowCounts   table to exact row count, in the source
     * @param sequences   number of sequences compared
     * @param largeObjects number of large objects compared
     * @param schemaLines lines of the schema dump compared
     * @param matchingCounts number of source tables whose row count the restored database has exactly
     * @param differences every difference found (at most a screenful); empty when the databases match
     */
    record Result(Map<String, Long> rowCounts, int sequences, long largeObjects, int schemaLines, int matchingCounts,
            List<String> differences) {
        Result {
            rowCounts = Map.copyOf(rowCounts);
            differences = List.copyOf(differences);
        }

        boolean passed() {
            return differences.isEmpty();
        }

        long totalRows() {
            return rowCounts.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** What one database holds, reduced to counts and hashes. */
    private record Content(Map<String, String> tables, Map<String, Long> rowCounts, Map<String, String> sequences,
            String largeObjects, long largeObjectCount) {
    }

    /**
     * @param source   the database that was backed up
     * @param restored the database the backup was restored into
     * @return what differs, if anything
     */
    static Result compare(PgTools source, PgTools restored) {
        Content expected = content(source);
        Content actual = content(restored);
        List<String> differences = new ArrayList<>();
        int matchingCounts = 0;
        for (String table : union(expected.tables, actual.tables)) {
            Long want = expected.rowCounts.get(table);
            Long got = actual.rowCounts.get(table);
            if (want == null) {
                differences.add("table " + table + " exists only in the restored database");
            } else if (got == null) {
                differences.add("table " + table + " is missing from the restored database");
            } else if (!want.equals(got)) {
                differences.add("table " + table + ": " + want + " rows in the source, " + got + " restored");
            } else {
                matchingCounts++;
                if (!expected.tables.get(table).equals(actual.tables.get(table))) {
                    differences.add("table " + table + ": same row count (" + want + ") but different row contents");
                }
            }
        }
        for (String seq : union(expected.sequences, actual.sequences)) {
            String want = expected.sequences.get(seq);
            String got = actual.sequences.get(seq);
            if (!Objects.equals(want, got)) {
                differences.add("sequence " + seq + ": " + (want == null ? "absent" : want) + " in the source, "
                        + (got == null ? "absent" : got) + " restored");
            }
        }
        if (!expected.largeObjects.equals(actual.largeObjects)) {
            differences.add("large objects differ: " + expected.largeObjectCount + " in the source, "
                    + actual.largeObjectCount + " restored, or their contents differ");
        }
        List<String> schemaBefore = schemaLines(source.schemaDump());
        List<String> schemaAfter = schemaLines(restored.schemaDump());
        firstDifference(schemaBefore, schemaAfter).ifPresent(differences::add);
        List<String> listed = differences.size() <= MAX_LISTED_DIFFERENCES ? differences
                : new ArrayList<>(differences.subList(0, MAX_LISTED_DIFFERENCES));
        if (listed != differences) {
            listed.add("... and " + (differences.size() - MAX_LISTED_DIFFERENCES) + " more differences");
        }
        return new Result(expected.rowCounts, expected.sequences.size(), expected.largeObjectCount,
                schemaBefore.size(), matchingCounts, listed);
    }

    private static Content content(PgTools db) {
        List<String> tables = db.query("""
                SELECT format('%I.%I', n.nspname, c.relname)
                FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'm') AND c.relpersistence <> 't' AND c.relispopulated
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
                ORDER BY 1;
                """).stream().map(r -> r.get(0)).toList();
        StringBuilder sql = new StringBuilder();
        for (String table : tables) {
            // the names come from format('%I.%I'): already quoted where needed
            sql.append("SELECT 'table', ").append(PgTools.quoteLiteral(table)).append(", count(*), ")
                    .append(hashSum("h")).append(" FROM (SELECT md5(r::text) AS h FROM ").append(table)
                    .append(" r) s;\n");
        }
        sql.append("SELECT 'sequence', format('%I.%I', schemaname, sequencename), coalesce(last_value::text, "
                + "'never called'), '' FROM pg_catalog.pg_sequences;\n");
        sql.append("SELECT 'large objects', '', count(*), ")
                .append(hashSum("md5(oid::text || ':' || md5(lo_get(oid)))"))
                .append(" FROM pg_catalog.pg_largeobject_metadata;\n");
        Map<String, String> hashes = new TreeMap<>();
        Map<String, Long> counts = new TreeMap<>();
        Map<String, String> sequences = new TreeMap<>();
        String largeObjects = "";
        long largeObjectCount = 0;
        for (List<String> row : db.query(sql.toString())) {
            switch (row.get(0)) {
                case "table" -> {
                    counts.put(row.get(1), Long.parseLong(row.get(2)));
                    hashes.put(row.get(1), row.get(2) + ":" + row.get(3));
                }
                case "sequence" -> sequences.put(row.get(1), row.get(2));
                case "large objects" -> {
                    largeObjectCount = Long.parseLong(row.get(2));
                    largeObjects = row.get(2) + ":" + row.get(3);
                }
                default -> throw new IllegalStateException("unexpected psql output: " + row);
            }
        }
        return new Content(hashes, counts, sequences, largeObjects, largeObjectCount);
    }

    /** Sums of both 64-bit halves of an md5 hex expression, as numeric (no overflow): a multiset hash. */
    private static String hashSum(String md5Expression) {
        return "coalesce(sum(('x' || substr(" + md5Expression + ", 1, 16))::bit(64)::bigint::numeric), 0) || '/' || "
                + "coalesce(sum(('x' || substr(" + md5Expression + ", 17, 16))::bit(64)::bigint::numeric), 0)";
    }

    /**
     * The schema dump without what differs between any two runs of pg_dump: the random {@code \restrict} keys that
     * pg_dump 15.14 and later print.
     */
    static List<String> schemaLines(String dump) {
        return dump.lines().filter(l -> !l.startsWith("\\restrict ") && !l.startsWith("\\unrestrict ")).toList();
    }

    private static Optional<String> firstDifference(List<String> before, List<String> after) {
        int n = Math.min(before.size(), after.size());
        for (int i = 0; i < n; i++) {
            if (!before.get(i).equals(after.get(i))) {
                return Optional.of("schema dumps differ at line " + (i + 1) + ": source '"
                        + clip(before.get(i)) + "', restored '" + clip(after.get(i)) + "'");
            }
        }
        if (before.size() != after.size()) {
            return Optional.of("schema dumps differ in length: " + before.size() + " lines in the source, "
                    + after.size() + " restored");
        }
        return Optional.empty();
    }

    private static String clip(String line) {
        return line.length() <= 120 ? line : line.substring(0, 117) + "...";
    }

    private static TreeSet<String> union(Map<String, ?> a, Map<String, ?> b) {
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        return keys;
    }
}
