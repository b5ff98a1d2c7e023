package io.pgvault.testkit.gdrive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A partial-response selector ({@code fields=nextPageToken,files(id,name)}, {@code fields=*}, {@code a/b}), applied to
 * a response the way Google APIs do: only the selected fields remain; a selector with sub-fields applies to every
 * element of an array.
 */
final class FieldMask {
    /** Selected fields; a {@code null} value selects a field whole. */
    private final Map<String, FieldMask> fields;

    private FieldMask(Map<String, FieldMask> fields) {
        this.fields = fields;
    }

    static FieldMask parse(String spec) {
        int[] position = {0};
        FieldMask mask = parseList(spec.replace(" ", ""), position);
        if (position[0] != spec.replace(" ", "").length()) {
            throw new IllegalArgumentException("Invalid field selection " + spec);
        }
        return mask;
    }

    private static FieldMask parseList(String spec, int[] position) {
        Map<String, FieldMask> fields = new LinkedHashMap<>();
        while (position[0] < spec.length() && spec.charAt(position[0]) != ')') {
            int start = position[0];
            while (position[0] < spec.length() && ",()/".indexOf(spec.charAt(position[0])) < 0) {
                position[0]++;
            }
            String name = spec.substring(start, position[0]);
            if (name.isEmpty()) {
                throw new IllegalArgumentException("Invalid field selection " + spec);
            }
            FieldMask sub = null;
            if (position[0] < spec.length() && spec.charAt(position[0]) == '(') {
                position[0]++;
                sub = parseList(spec, position);
                if (position[0] >= spec.length() || spec.charAt(position[0]) != ')') {
                    throw new IllegalArgumentException("Invalid field selection " + spec);
                }
                position[0]++;
            } else if (position[0] < spec.length() && spec.charAt(position[0]) == '/') {
                position[0]++;
                int from = position[0];
                while (position[0] < spec.length() && ",)".indexOf(spec.charAt(position[0])) < 0) {
                    position[0]++;
                }
                sub = parseList(spec.substring(from, position[0]), new int[] {0});
            }
            add(fields, name, sub);
            if (position[0] < spec.length() && spec.charAt(position[0]) == ',') {
                position[0]++;
            }
        }
        return new FieldMask(fields);
    }

    private FieldMask union(FieldMask other) {
        Map<String, FieldMask> merged = new LinkedHashMap<>(fields);
        other.fields.forEach((k, v) -> add(merged, k, v));
        return new FieldMask(merged);
    }

    /** Adds a selector; selecting a field whole ({@code null}) wins over selecting parts of it. */
    private static void add(Map<String, FieldMask> fields, String name, FieldMask sub) {
        if (!fields.containsKey(name)) {
            fields.put(name, sub);
        } else {
            FieldMask existing = fields.get(name);
            fields.put(name, existing == null || sub == null ? null : existing.union(sub));
        }
    }

    /** Removes from {@code node} (in place) whatever this mask does not select. */
    void apply(JsonNode node) {
        if (node instanceof ArrayNode array) {
            array.forEach(this::apply);
            return;
        }
        if (!(node instanceof ObjectNode object) || fields.containsKey("*")) {
            return;
        }
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!fields.containsKey(name)) {
                names.remove();
            } else if (fields.get(name) != null) {
                fields.get(name).apply(object.get(name));
            }
        }
    }
}
