package io.pgvault.backend.pgbackrest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Compares the {@code pgbackrest.conf} on disk with the text the configuration renders, and names the settings that
 * differ. Only names: a hand-edited file may hold a value that must not reach a message (a passphrase typed in).
 */
final class ConfigDrift {
    private static final int NAMED = 8;

    private ConfigDrift() {
    }

    /**
     * @param expected the rendered text
     * @param actual   the file's content
     * @return the settings that differ, as {@code section/key} for stanza sections and {@code key} for
     *         {@code [global]}, at most a few; empty when the texts are equal; {@code (comments or layout)} when only
     *         those differ
     */
    static List<String> differences(String expected, String actual) {
        if (expected.equals(actual)) {
            return List.of();
        }
        Map<String, String> want = settings(expected);
        Map<String, String> have = settings(actual);
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, String> e : want.entrySet()) {
            if (!Objects.equals(have.get(e.getKey()), e.getValue())) {
                out.add(e.getKey() + (have.containsKey(e.getKey()) ? " (changed)" : " (missing)"));
            }
        }
        have.keySet().stream().filter(k -> !want.containsKey(k)).forEach(k -> out.add(k + " (not written by pgvault)"));
        if (out.isEmpty()) {
            return List.of("(comments or layout)");
        }
        if (out.size() > NAMED) {
            int more = out.size() - NAMED;
            List<String> cut = new ArrayList<>(out.subList(0, NAMED));
            cut.add("and " + more + " more");
            return cut;
        }
        return out;
    }

    /** Reads {@code [section]} and {@code key=value} lines; a repeated key keeps its last value, as pgBackRest's. */
    private static Map<String, String> settings(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        String section = "";
        for (String raw : text.split("\n", -1)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1).strip();
                continue;
            }
            int eq = line.indexOf('=');
            String key = (eq < 0 ? line : line.substring(0, eq)).strip();
            String value = eq < 0 ? "" : line.substring(eq + 1).strip();
            out.put(("global".equals(section) ? "" : "[" + section + "] ") + key, value);
        }
        return out;
    }
}
