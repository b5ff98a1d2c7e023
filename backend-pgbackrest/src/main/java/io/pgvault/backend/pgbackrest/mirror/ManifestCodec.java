package io.pgvault.backend.pgbackrest.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgvault.api.BackupType;
import io.pgvault.api.IntegrityException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The mirror's own JSON records. Format 2 (0.2.0): one per mirrored set, each with the info files it was mirrored with
 * and the key of every file. Format 1 (sets mirrored before): no info files of their own (they share the one info
 * record, also format 1) and every file at {@code repo/<path>}; read, never written.
 */
final class ManifestCodec {
    static final int FORMAT = 2;
    static final int LEGACY = 1;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ManifestCodec() {
    }

    /** The info files as last copied: pgBackRest's backup.info/archive.info (and copies) with their digests. */
    record InfoRecord(String stanza, Instant at, List<MirroredFile> files) {
        InfoRecord {
            files = List.copyOf(files);
        }
    }

    static byte[] write(MirroredSet s) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("format", FORMAT);
        n.put("kind", "pgbackrest-mirror-set");
        n.put("stanza", s.stanza());
        n.put("label", s.label());
        n.put("type", s.type().name());
        s.prior().ifPresent(p -> n.put("prior", p));
        ArrayNode refs = n.putArray("references");
        s.references().forEach(refs::add);
        n.put("startedAt", s.startedAt().toString());
        n.put("stoppedAt", s.stoppedAt().toString());
        n.put("archiveId", s.archiveId());
        n.put("walStart", s.walStart());
        n.put("walStop", s.walStop());
        n.put("walPolicy", s.walPolicy().name());
        n.put("cipher", s.cipher());
        n.put("mirroredAt", s.mirroredAt().toString());
        s.verifiedAt().ifPresent(v -> n.put("verifiedAt", v.toString()));
        s.systemId().ifPresent(v -> n.put("systemId", v));
        s.cipherFingerprint().ifPresent(v -> n.put("cipherFingerprint", v));
        n.put("checksumError", s.checksumError());
        files(n.putArray("files"), s.files());
        files(n.putArray("wal"), s.wal());
        files(n.putArray("info"), s.info());
        return bytes(n);
    }

    static MirroredSet readSet(byte[] json, String key) {
        JsonNode n = tree(json, key, LEGACY, FORMAT);
        try {
            boolean legacy = n.path("format").asInt() == LEGACY;
            List<MirroredFile> info = legacy ? List.of() : files(n.path("info"));
            if (!legacy && info.isEmpty()) {
                throw new IllegalArgumentException("no info files");
            }
            return new MirroredSet(text(n, "stanza"), text(n, "label"), BackupType.valueOf(text(n, "type")),
                    optional(n, "prior"), strings(n.path("references")), Instant.parse(text(n, "startedAt")),
                    Instant.parse(text(n, "stoppedAt")), text(n, "archiveId"), text(n, "walStart"),
                    text(n, "walStop"), WalPolicy.valueOf(text(n, "walPolicy")), text(n, "cipher"),
                    files(n.path("files")), files(n.path("wal")), Instant.parse(text(n, "mirroredAt")),
                    optional(n, "verifiedAt").map(Instant::parse), legacy ? Optional.empty() : optional(n, "systemId"),
                    legacy ? Optional.empty() : optional(n, "cipherFingerprint"), info,
                    n.path("checksumError").asBoolean(false));
        } catch (RuntimeException e) {
            throw new IntegrityException("mirror manifest " + key + " is malformed: " + e.getMessage(), e);
        }
    }

    static InfoRecord readInfo(byte[] json, String key) {
        JsonNode n = tree(json, key, LEGACY, LEGACY);
        try {
            return new InfoRecord(text(n, "stanza"), Instant.parse(text(n, "at")), files(n.path("files")));
        } catch (RuntimeException e) {
            throw new IntegrityException("mirror info record " + key + " is malformed: " + e.getMessage(), e);
        }
    }

    /**
     * What a mirror remembers between runs: the labels the tier selected that it did not hold yet, and the sets it
     * found expired by the source before it got them (with when it found out).
     */
    record Pending(List<String> labels, java.util.Map<String, Instant> missed) {
        Pending {
            labels = List.copyOf(labels);
            missed = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(missed));
        }
    }

    static byte[] write(String stanza, Pending p) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("format", FORMAT);
        n.put("kind", "pgbackrest-mirror-pending");
        n.put("stanza", stanza);
        ArrayNode a = n.putArray("labels");
        p.labels().forEach(a::add);
        ObjectNode m = n.putObject("missed");
        p.missed().forEach((label, at) -> m.put(label, at.toString()));
        return bytes(n);
    }

    static Pending readPending(byte[] json, String key) {
        JsonNode n = tree(json, key, FORMAT, FORMAT);
        try {
            List<String> labels = strings(n.path("labels"));
            labels.forEach(io.pgvault.api.BackupId::of);
            java.util.Map<String, Instant> missed = new java.util.TreeMap<>();
            n.path("missed").fields().forEachRemaining(e -> missed.put(io.pgvault.api.BackupId.of(e.getKey())
                    .value(), Instant.parse(e.getValue().asText())));
            return new Pending(labels, missed);
        } catch (RuntimeException e) {
            throw new IntegrityException("mirror record " + key + " is malformed: " + e.getMessage(), e);
        }
    }

    private static JsonNode tree(byte[] json, String key, int oldest, int newest) {
        try {
            JsonNode n = MAPPER.readTree(json);
            if (n == null || !n.isObject()) {
                throw new IntegrityException("mirror record " + key + " is not a JSON object");
            }
            int format = n.path("format").asInt(-1);
            if (format < oldest || format > newest) {
                throw new IntegrityException("mirror record " + key + " has format " + n.path("format")
                        + "; this release reads format " + (oldest == newest ? oldest : oldest + " to " + newest)
                        + " here");
            }
            return n;
        } catch (IOException e) {
            throw new IntegrityException("mirror record " + key + " is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(ObjectNode n) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(n).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void files(ArrayNode a, List<MirroredFile> files) {
        for (MirroredFile f : files) {
            ObjectNode o = a.addObject().put("path", f.path()).put("size", f.size()).put("sha256", f.sha256());
            if (!f.key().equals("repo/" + f.path())) {
                o.put("key", f.key());
            }
        }
    }

    private static List<MirroredFile> files(JsonNode a) {
        List<MirroredFile> out = new ArrayList<>();
        for (JsonNode f : a) {
            String path = text(f, "path");
            out.add(new MirroredFile(path, f.path("size").asLong(-1), text(f, "sha256"),
                    optional(f, "key").orElse("repo/" + path)));
        }
        return out;
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(x -> out.add(x.asText()));
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        return v.asText();
    }

    private static Optional<String> optional(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }
}
