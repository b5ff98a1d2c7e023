package io.pgvault.operations.drill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgvault.api.BackupId;
import io.pgvault.api.NotFoundException;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.Repository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Drill outcomes kept in the repository next to the sets: {@code drills/<set id>.json}, the full report of the latest
 * drill of that set, wrapped as {@code {"formatVersion": 1, "report": {...}}}. The catalog ignores this prefix, so
 * retention never prunes these small objects; a record of a pruned set stays as history.
 */
final class DrillRecords {
    static final String PREFIX = "drills/";
    static final int FORMAT_VERSION = 1;
    private static final Logger LOG = LoggerFactory.getLogger(DrillRecords.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private DrillRecords() {
    }

    static String key(BackupId id) {
        return PREFIX + id.value() + ".json";
    }

    static void write(Repository repository, DrillReport report) {
        BackupId id = report.setId().orElseThrow();
        ObjectNode doc = JSON.createObjectNode();
        doc.put("formatVersion", FORMAT_VERSION);
        doc.set("report", report.toTree());
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(doc);
        } catch (IOException e) {
            throw new IllegalStateException("cannot render drill record", e);
        }
        repository.put(key(id), out -> out.write(bytes));
    }

    /** @return every readable record, oldest first; unreadable ones are logged and skipped */
    static List<DrillRecord> list(Repository repository) {
        List<DrillRecord> out = new ArrayList<>();
        for (ObjectInfo info : repository.list(PREFIX)) {
            if (!info.key().endsWith(".json") || info.key().indexOf('/', PREFIX.length()) >= 0) {
                continue;
            }
            try {
                read(repository, info.key()).ifPresent(out::add);
            } catch (NotFoundException e) {
                LOG.debug("drill record {} vanished while listing", info.key());
            } catch (IOException | RuntimeException e) {
                LOG.warn("skipping unreadable drill record {} in {}: {}", info.key(), repository.id(), e.toString());
            }
        }
        out.sort(Comparator.comparing(DrillRecord::finishedAt));
        return out;
    }

    private static Optional<DrillRecord> read(Repository repository, String key) throws IOException {
        JsonNode doc;
        try (InputStream in = repository.open(key)) {
            doc = JSON.readTree(in);
        }
        int version = doc.path("formatVersion").asInt(-1);
        if (version < 1 || version > FORMAT_VERSION) {
            LOG.warn("drill record {} has format version {}; this pgvault reads 1..{}", key, version, FORMAT_VERSION);
            return Optional.empty();
        }
        JsonNode r = doc.path("report");
        List<String> failures = new ArrayList<>();
        r.path("problems").forEach(p -> failures.add(p.asText()));
        for (JsonNode c : r.path("checks")) {
            if ("FAILED".equals(c.path("outcome").asText())) {
                failures.add(c.path("name").asText() + ": expected " + c.path("expected").asText() + ", actual "
                        + c.path("actual").asText() + (c.path("detail").asText().isEmpty() ? ""
                                : " (" + c.path("detail").asText() + ")"));
            }
        }
        JsonNode rto = r.path("rtoMillis");
        return Optional.of(new DrillRecord(new BackupId(r.path("setId").asText()), r.path("strategy").asText(),
                r.path("passed").asBoolean(), rto.isNumber() ? Optional.of(Duration.ofMillis(rto.asLong()))
                        : Optional.empty(), Duration.ofMillis(r.path("durationMillis").asLong()),
                Instant.parse(r.path("startedAt").asText()), Instant.parse(r.path("finishedAt").asText()), failures));
    }
}
