package io.pgvault.operations.drill;

import io.pgvault.api.BackupSet;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/** The checks a drill runs against the restored server, over JDBC. Each returns a check; none throws. */
final class DrillChecks {
    /** Differences listed in a check's detail before "and N more". */
    private static final int MAX_LISTED = 20;

    /**
     * The same tables {@code backend-pgdump}'s RowCounter counts at backup time: ordinary tables and partitions,
     * permanent or unlogged, outside the system schemas, not members of an extension.
     */
    static final String TABLES = """
            SELECT format('%I.%I', n.nspname, c.relname)
            FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND c.relpersistence IN ('p', 'u')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
              AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass
                              AND d.objid = c.oid AND d.deptype = 'e')
            ORDER BY 1""";

    private static final String BTREE_INDEXES = """
            SELECT c.oid, format('%I.%I', n.nspname, c.relname)
            FROM pg_catalog.pg_index i
            JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_catalog.pg_am am ON am.oid = c.relam
            WHERE am.amname = 'btree' AND c.relkind = 'i' AND i.indisvalid AND i.indisready
              AND c.relpersistence <> 't'
            ORDER BY 2""";

    private DrillChecks() {
    }

    /**
     * @param set a set
     * @return the row counts it recorded at backup time, per database; empty when it recorded none
     * @throws IllegalArgumentException when the attribute is not the expected JSON
     */
    static Optional<Map<String, Map<String, Long>>> recordedRowCounts(BackupSet set) {
        try {
            return io.pgvault.api.RowCounts.of(set).map(io.pgvault.api.RowCounts::databases);
        } catch (io.pgvault.api.IntegrityException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** @return exact counts of every table of the restored database, sorted by name */
    static Map<String, Long> countRows(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(TABLES)) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        Map<String, Long> counts = new TreeMap<>();
        try (Statement s = c.createStatement()) {
            for (String t : tables) {
                // t is format('%I.%I') from the server: safe to splice
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + t)) {
                    rs.next();
                    counts.put(t, rs.getLong(1));
                }
            }
        }
        return counts;
    }

    /** Compares a restored database's counts with those recorded at backup time. */
    static DrillCheck rowCounts(String database, Map<String, Long> expected, Connection c) {
        String name = "row counts " + database;
        try {
            Map<String, Long> actual = countRows(c);
            List<String> diffs = new ArrayList<>();
            for (String t : new TreeSet<>(expected.keySet())) {
                Long found = actual.get(t);
                if (found == null) {
                    diffs.add(t + " missing (expected " + expected.get(t) + " rows)");
                } else if (!found.equals(expected.get(t))) {
                    diffs.add(t + " has " + found + " rows, expected " + expected.get(t));
                }
            }
            for (String t : actual.keySet()) {
                if (!expected.containsKey(t)) {
                    diffs.add(t + " was not in the backup (" + actual.get(t) + " rows)");
                }
            }
            return DrillCheck.of(name, diffs.isEmpty(), summary(expected), summary(actual), listed(diffs));
        } catch (SQLException e) {
            return DrillCheck.failed(name, summary(expected), "counting failed: " + e.getMessage());
        }
    }

    /**
     * Runs {@code bt_index_check} on every valid btree index (system catalogs included), after
     * {@code CREATE EXTENSION IF NOT EXISTS amcheck}. Skipped, with the reason, when the extension is not available.
     */
    static DrillCheck amcheck(String database, boolean heapAllIndexed, Connection c) {
        String name = "amcheck " + database;
        try (Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS amcheck");
        } catch (SQLException e) {
            return DrillCheck.skipped(name, "amcheck is not available on the drill server: " + e.getMessage()
                    + " (install the PostgreSQL contrib package to enable it)");
        }
        Map<Long, String> indexes = new LinkedHashMap<>();
        List<String> corrupt = new ArrayList<>();
        try {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(BTREE_INDEXES)) {
                while (rs.next()) {
                    indexes.put(rs.getLong(1), rs.getString(2));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT bt_index_check(?::oid::regclass, ?)")) {
                for (Map.Entry<Long, String> index : indexes.entrySet()) {
                    ps.setLong(1, index.getKey());
                    ps.setBoolean(2, heapAllIndexed);
                    try {
                        ps.execute();
                    } catch (SQLException e) {
                        corrupt.add(index.getValue() + ": " + e.getMessage());
                    }
                }
            }
        } catch (SQLException e) {
            return DrillCheck.failed(name, indexes.size() + " btree indexes consistent", "amcheck failed: "
                    + e.getMessage());
        }
        String expected = indexes.size() + " btree indexes consistent"
                + (heapAllIndexed ? " (heapallindexed)" : "");
        String actual = (indexes.size() - corrupt.size()) + " consistent, " + corrupt.size() + " corrupt";
        return DrillCheck.of(name, corrupt.isEmpty(), expected, actual, listed(corrupt));
    }

    /** Runs one user assertion. */
    static DrillCheck assertion(SqlAssertion a, Connection c) {
        String name = "assertion " + a.name();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(a.sql())) {
            if (a.expectedRows().isPresent()) {
                long rows = 0;
                while (rs.next()) {
                    rows++;
                }
                return DrillCheck.of(name, rows == a.expectedRows().getAsLong(), a.expectation(), rows + " row(s)",
                        "");
            }
            if (!rs.next()) {
                return DrillCheck.of(name, false, "true", "no row", "");
            }
            int type = rs.getMetaData().getColumnType(1);
            String value = rs.getString(1);
            if (type != Types.BOOLEAN && type != Types.BIT) {
                return DrillCheck.of(name, false, "true", value, "the first column is of type "
                        + rs.getMetaData().getColumnTypeName(1) + ", not boolean");
            }
            return DrillCheck.of(name, value != null && rs.getBoolean(1), "true", String.valueOf(value), "");
        } catch (SQLException e) {
            return DrillCheck.failed(name, a.expectation(), "query failed: " + e.getMessage());
        }
    }

    private static String summary(Map<String, Long> counts) {
        return counts.size() + " tables, " + counts.values().stream().mapToLong(Long::longValue).sum() + " rows";
    }

    private static String listed(List<String> items) {
        if (items.size() <= MAX_LISTED) {
            return String.join("; ", items);
        }
        return String.join("; ", items.subList(0, MAX_LISTED)) + "; and " + (items.size() - MAX_LISTED) + " more";
    }
}
