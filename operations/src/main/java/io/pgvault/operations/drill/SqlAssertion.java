package io.pgvault.operations.drill;

import io.pgvault.api.ConfigurationException;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A check a drill runs against the restored copy: a query that must return {@code true}, or a query that must return
 * a given number of rows.
 *
 * <pre>{@code
 * SqlAssertion.isTrue("orders exist", "SELECT count(*) > 0 FROM shop.orders")
 * SqlAssertion.rowCount("one admin", "SELECT 1 FROM app.users WHERE admin", 1).in("app")
 * }</pre>
 *
 * @param name         what it proves, shown in the report
 * @param database     the restored database to run it in; empty means the set's only database
 * @param sql          one query, run in a read-write session of the throwaway server
 * @param expectedRows the number of rows the query must return; empty means its first column of the first row must be
 *                     {@code true}
 * @since 0.2.0
 */
public record SqlAssertion(String name, Optional<String> database, String sql, OptionalLong expectedRows) {

    /** Validates the components. */
    public SqlAssertion {
        database = database == null ? Optional.empty() : database;
        expectedRows = expectedRows == null ? OptionalLong.empty() : expectedRows;
        List<String> problems = new ArrayList<>();
        if (name == null || name.isBlank()) {
            problems.add("an assertion needs a name");
        }
        if (sql == null || sql.isBlank()) {
            problems.add("assertion '" + name + "' needs a query");
        }
        if (database.isPresent() && database.get().isBlank()) {
            problems.add("assertion '" + name + "': database must not be blank");
        }
        if (expectedRows.isPresent() && expectedRows.getAsLong() < 0) {
            problems.add("assertion '" + name + "': expected rows must not be negative");
        }
        ConfigurationException.throwIfAny(problems);
    }

    /**
     * @param name what it proves
     * @param sql  a query whose first column of the first row must be {@code true}
     * @return the assertion, run in the set's only database
     * @since 0.2.0
     */
    public static SqlAssertion isTrue(String name, String sql) {
        return new SqlAssertion(name, Optional.empty(), sql, OptionalLong.empty());
    }

    /**
     * @param name what it proves
     * @param sql  a query
     * @param rows how many rows it must return
     * @return the assertion, run in the set's only database
     * @since 0.2.0
     */
    public static SqlAssertion rowCount(String name, String sql, long rows) {
        return new SqlAssertion(name, Optional.empty(), sql, OptionalLong.of(rows));
    }

    /**
     * @param database a restored database
     * @return this assertion, run in that database
     * @since 0.2.0
     */
    public SqlAssertion in(String database) {
        return new SqlAssertion(name, Optional.of(Objects.requireNonNull(database, "database")), sql, expectedRows);
    }

    /** @return what must hold, for the report */
    String expectation() {
        return expectedRows.isPresent() ? expectedRows.getAsLong() + " row(s)" : "true";
    }
}
