package io.pgvault.backend.pgdump;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A psql/pg_dump name pattern ({@code schema.table}, {@code "Mixed Case".t*}) turned into anchored regular
 * expressions, following psql's rules: outside double quotes letters fold to lower case, {@code *} means any text,
 * {@code ?} any character, {@code $} is literal and other regular-expression syntax works; inside double quotes
 * everything is literal; an unquoted {@code .} separates the schema from the name.
 *
 * @param schemaRegex the schema part, or empty when the pattern names no schema
 * @param nameRegex   the object-name part
 */
record NamePattern(String schemaRegex, String nameRegex) {

    static NamePattern parse(String pattern) {
        List<StringBuilder> parts = new ArrayList<>();
        parts.add(new StringBuilder());
        boolean quoted = false;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            StringBuilder cur = parts.get(parts.size() - 1);
            if (c == '"') {
                if (quoted && i + 1 < pattern.length() && pattern.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (quoted) {
                cur.append(Character.isLetterOrDigit(c) || c == '_' ? String.valueOf(c) : "\\" + c);
            } else if (c == '.') {
                parts.add(new StringBuilder());
            } else if (c == '*') {
                cur.append(".*");
            } else if (c == '?') {
                cur.append('.');
            } else if (c == '$') {
                cur.append("\\$");
            } else {
                cur.append(String.valueOf(c).toLowerCase(Locale.ROOT));
            }
        }
        String name = "^(" + parts.get(parts.size() - 1) + ")$";
        String schema = parts.size() > 1 ? "^(" + parts.get(parts.size() - 2) + ")$" : "";
        return new NamePattern(schema, name);
    }

    /**
     * @return an SQL condition on {@code n.nspname}, {@code c.relname} and {@code c.oid} matching what pg_dump's
     *         {@code --table} selects with this pattern
     */
    String tableCondition() {
        String schema = schemaRegex.isEmpty() ? "pg_catalog.pg_table_is_visible(c.oid)"
                : "n.nspname ~ " + Sql.literal(schemaRegex);
        return "(" + schema + " AND c.relname ~ " + Sql.literal(nameRegex) + ")";
    }
}
