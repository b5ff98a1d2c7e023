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

    /**
     * @param json a JSON array of strings, as {@link #jsonArray} writes it
     * @return its strings
     * @throws IllegalArgumentException when it is not one
     */
    static List<String> parseJsonArray(String json) {
        List<String> out = new java.util.ArrayList<>();
        String s = json.strip();
        if (!s.startsWith("[") || !s.endsWith("]")) {
            throw new IllegalArgumentException("not a JSON array: " + json);
        }
        int i = 1;
        int end = s.length() - 1;
        while (true) {
            while (i < end && (Character.isWhitespace(s.charAt(i)) || s.charAt(i) == ',')) {
                i++;
            }
            if (i >= end) {
                return out;
            }
            if (s.charAt(i) != '"') {
                throw new IllegalArgumentException("not a JSON array of strings: " + json);
            }
            StringBuilder b = new StringBuilder();
            for (i++; s.charAt(i) != '"'; i++) {
                char c = s.charAt(i);
                if (c == '\\') {
                    char e = s.charAt(++i);
                    switch (e) {
                        case 'u' -> {
                            b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                            i += 4;
                        }
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        default -> b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
            out.add(b.toString());
            i++;
        }
    }

    static String jsonString(String s) {
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
