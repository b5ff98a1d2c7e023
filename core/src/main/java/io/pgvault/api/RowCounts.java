package io.pgvault.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.pgvault.internal.Json;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Exact row counts of every table, per database, taken from the same snapshot as a logical dump; a restore drill
 * compares a restored copy against them. Stored in the set's manifest as the attribute {@value #ATTRIBUTE},
 * {@code {"db": {"schema.table": n}}}, with names as {@code format('%I.%I')} gives them.
 *
 * @param databases per database name, per table, its row count
 * @since 0.3.0
 */
public record RowCounts(Map<String, Map<String, Long>> databases) {
    /** The manifest attribute holding them. */
    public static final String ATTRIBUTE = "rowCounts";
    private static final TypeReference<Map<String, Map<String, Long>>> TYPE = new TypeReference<>() {
    };
    /** No 1.9 read as 1, no "12" as 12, no key twice: a count either is one or the attribute is refused. */
    private static final com.fasterxml.jackson.databind.ObjectMapper STRICT = strict();

    private static com.fasterxml.jackson.databind.ObjectMapper strict() {
        com.fasterxml.jackson.databind.ObjectMapper m = Json.mapper().copy()
                .disable(com.fasterxml.jackson.databind.DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        m.coercionConfigFor(com.fasterxml.jackson.databind.type.LogicalType.Integer).setCoercion(
                com.fasterxml.jackson.databind.cfg.CoercionInputShape.String,
                com.fasterxml.jackson.databind.cfg.CoercionAction.Fail);
        return m;
    }

    /** Validates counts (none negative) and copies the maps, sorting tables (the attribute is written sorted). */
    public RowCounts {
        Objects.requireNonNull(databases, "databases");
        Map<String, Map<String, Long>> copy = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        databases.forEach((db, tables) -> {
            Map<String, Long> sorted = new TreeMap<>();
            Objects.requireNonNull(tables, "tables of " + db).forEach((t, n) -> {
                if (n == null || n < 0) {
                    problems.add(db + "." + t + " has row count " + n);
                } else {
                    sorted.put(t, n);
                }
            });
            copy.put(db, Collections.unmodifiableMap(sorted));
        });
        if (!problems.isEmpty()) {
            String listed = String.join("; ", problems.subList(0, Math.min(5, problems.size())))
                    .replaceAll("\\p{Cntrl}", "?");
            throw new IllegalArgumentException("invalid row counts: " + (listed.length() > 300
                    ? listed.substring(0, 300) + "..." : listed) + (problems.size() > 5 ? " (" + problems.size()
                    + " in all)" : ""));
        }
        databases = Collections.unmodifiableMap(copy);
    }

    /**
     * @param set a set
     * @return the counts it recorded, if any
     * @throws IntegrityException when the attribute is there but is not {@code {"db": {"table": n}}} with counts
     *                            of zero or more
     */
    public static Optional<RowCounts> of(BackupSet set) {
        Optional<String> json = set.attribute(ATTRIBUTE);
        if (json.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new RowCounts(STRICT.readValue(json.get(), TYPE)));
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            throw new IntegrityException("attribute " + ATTRIBUTE + " of set " + set.id() + " is not"
                    + " {\"db\": {\"table\": n}}: " + e.getMessage(), e);
        }
    }

    /**
     * @param database a database
     * @return its tables' counts, if it was counted
     */
    public Optional<Map<String, Long>> of(String database) {
        return Optional.ofNullable(databases.get(database));
    }

    /** @return the attribute value: compact JSON */
    public String toAttribute() {
        try {
            return Json.mapper().writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(databases);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("row counts cannot be written as JSON", e);
        }
    }
}
