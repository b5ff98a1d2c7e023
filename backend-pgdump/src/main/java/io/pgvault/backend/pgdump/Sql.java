package io.pgvault.backend.pgdump;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/** Quoting for the few SQL statements pgvault writes itself (names arrive hex-encoded, leave quoted). */
final class Sql {
    private Sql() {
    }

    /**
     * @param name an identifier
     * @return it as a quoted identifier
     */
    static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /**
     * @param value a string
     * @return it as a standard-conforming string literal
     */
    static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /**
     * @param hex hex digits of UTF-8 bytes
     * @return the text
     */
    static String fromHex(String hex) {
        return new String(HexFormat.of().parseHex(hex.strip()), StandardCharsets.UTF_8);
    }

    /**
     * @param values strings
     * @return a JSON array of them, for a set attribute
     */
    static String jsonArray(List<String> values) {
        return values.stream().map(Sql::jsonString).collect(Collectors.joining(",", "[", "]"));
    }

    private static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
