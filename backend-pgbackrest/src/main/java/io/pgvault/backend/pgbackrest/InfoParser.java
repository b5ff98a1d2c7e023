package io.pgvault.backend.pgbackrest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pgvault.api.BackupType;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Parses {@code pgbackrest info --output=json}: an array of stanzas, each with its backups and databases. */
final class InfoParser {
    /** pgBackRest 2.45 quotes undecodable bytes (from a wrong passphrase) in status messages unescaped. */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS).build();

    private InfoParser() {
    }

    /** What info says about one stanza. */
    record StanzaInfo(String name, int statusCode, String statusMessage, List<RepoStatus> repos,
            List<PgBackRestBackup> backups) {
    }

    /** The status info reports for one repo: code 0 ok, 1 missing stanza path, 2 no valid backups, 99 error. */
    record RepoStatus(int key, int code, String message) {
    }

    /**
     * Identifies a {@code db} entry: ids count per repo (each repo's backup.info numbers its own database history),
     * so with several repos id 1 appears once per repo, possibly for different system-ids.
     */
    private record DbKey(int repoKey, int id) {
        /** Reads {@code {"id": N, "repo-key": R}}; without a repo-key (single-repo output) the repo is 1. */
        static DbKey of(JsonNode n) {
            return new DbKey(n.path("repo-key").asInt(1), n.path("id").asInt());
        }
    }

    static Optional<StanzaInfo> parse(String json, String stanza) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "pgbackrest info printed no valid JSON: " + e.getMessage(),
                    e);
        }
        if (root == null || !root.isArray()) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "pgbackrest info printed no JSON array");
        }
        for (JsonNode s : root) {
            if (stanza.equals(s.path("name").asText())) {
                return Optional.of(stanza(s));
            }
        }
        return Optional.empty();
    }

    private static StanzaInfo stanza(JsonNode s) {
        Map<DbKey, JsonNode> dbs = new HashMap<>();
        for (JsonNode db : s.path("db")) {
            dbs.put(DbKey.of(db), db);
        }
        List<PgBackRestBackup> backups = new ArrayList<>();
        for (JsonNode b : s.path("backup")) {
            backups.add(backup(b, dbs));
        }
        List<RepoStatus> repos = new ArrayList<>();
        for (JsonNode r : s.path("repo")) {
            repos.add(new RepoStatus(r.path("key").asInt(), r.path("status").path("code").asInt(-1),
                    ErrorMapper.sanitize(r.path("status").path("message").asText(""))));
        }
        JsonNode status = s.path("status");
        return new StanzaInfo(s.path("name").asText(), status.path("code").asInt(-1),
                status.path("message").asText(""), repos, backups);
    }

    private static PgBackRestBackup backup(JsonNode b, Map<DbKey, JsonNode> dbs) {
        List<String> reference = new ArrayList<>();
        for (JsonNode r : b.path("reference")) {
            reference.add(r.asText());
        }
        DbKey key = DbKey.of(b.path("database"));
        JsonNode db = dbs.get(key);
        BackupType type = switch (b.path("type").asText()) {
            case "full" -> BackupType.FULL;
            case "diff" -> BackupType.DIFF;
            case "incr" -> BackupType.INCR;
            default -> throw new PgVaultException(ErrorCode.TOOL_FAILED, "pgbackrest info lists backup "
                    + b.path("label").asText() + " of unknown type '" + b.path("type").asText() + "'");
        };
        return new PgBackRestBackup(b.path("label").asText(), type, key.repoKey(),
                text(b.path("prior")), reference,
                Instant.ofEpochSecond(b.path("timestamp").path("start").asLong()),
                Instant.ofEpochSecond(b.path("timestamp").path("stop").asLong()),
                text(b.path("archive").path("start")), text(b.path("archive").path("stop")),
                text(b.path("lsn").path("start")), text(b.path("lsn").path("stop")),
                b.path("info").path("size").asLong(), b.path("info").path("delta").asLong(),
                b.path("info").path("repository").path("size").asLong(),
                b.path("info").path("repository").path("delta").asLong(),
                b.path("error").asBoolean(false),
                db == null ? Optional.empty() : text(db.path("version")),
                db == null ? Optional.empty() : text(db.path("system-id")));
    }

    /** @return the {@code error-list} of one set in {@code info --set --output=json}; empty when it has none */
    static List<String> errorList(String json, String stanza, String label) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "pgbackrest info --set printed no valid JSON: "
                    + e.getMessage(), e);
        }
        for (JsonNode st : root) {
            if (!stanza.equals(st.path("name").asText())) {
                continue;
            }
            for (JsonNode b : st.path("backup")) {
                if (label.equals(b.path("label").asText())) {
                    List<String> out = new ArrayList<>();
                    b.path("error-list").forEach(f -> out.add(f.asText()));
                    return List.copyOf(out);
                }
            }
        }
        throw new io.pgvault.api.NotFoundException("pgbackrest info lists no set " + label + " of stanza " + stanza);
    }

    private static Optional<String> text(JsonNode n) {
        return n == null || n.isNull() || n.isMissingNode() ? Optional.empty() : Optional.of(n.asText());
    }
}
