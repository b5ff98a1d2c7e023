package io.pgvault.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.pgvault.api.BackupSet;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.pgvault.api.BackupId;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Tables for people, JSON for scripts. */
final class Output {
    /** The command's JSON: ISO instants, ids as strings, no absent optionals (the shape of the manifests). */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new Jdk8Module())
            .addModule(new JavaTimeModule())
            .addModule(new SimpleModule().addSerializer(new StdSerializer<BackupId>(BackupId.class) {
                @Override
                public void serialize(BackupId id, JsonGenerator g, SerializerProvider p) throws java.io.IOException {
                    g.writeString(id.value());
                }
            }))
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .serializationInclusion(JsonInclude.Include.NON_ABSENT)
            .build();

    private Output() {
    }

    static String json(Object value) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** @return the set as JSON, with its authenticity (the manifest's own JSON leaves it out: it is not stored) */
    static java.util.Map<String, Object> withAuthenticity(BackupSet s) {
        java.util.Map<String, Object> m = JSON.convertValue(s,
                new com.fasterxml.jackson.core.type.TypeReference<java.util.LinkedHashMap<String, Object>>() { });
        m.put("authenticity", s.authenticity().name());
        return m;
    }

    static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
        int[] width = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        for (List<String> row : all) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                sb.append(i == row.size() - 1 ? row.get(i) : String.format(Locale.ROOT, "%-" + width[i] + "s  ",
                        row.get(i)));
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    static List<String> row(BackupSet s) {
        return List.of(s.id().value(), s.type().name(), s.status().name(), s.source(), String.valueOf(s.finishedAt()),
                bytes(s.storedBytes()), s.authenticity().name(),
                s.lastVerified().map(Object::toString).orElse("-"));
    }

    static final List<String> SET_HEADER = List.of("SET", "TYPE", "STATUS", "SOURCE", "FINISHED", "STORED",
            "AUTHENTICITY", "LAST VERIFIED");

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
