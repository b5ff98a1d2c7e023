package io.pgvault.operations.health;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every health check at one moment, and the overall verdict: the worst status of any check ({@link
 * HealthStatus#OK} when there is none). Hosts expose it as they like; {@link #toJson()} gives a stable JSON shape:
 *
 * <pre>{@code
 * {"status":"WARNING","at":"2026-03-02T03:00:00Z","checks":[
 *   {"name":"backup-age","component":"repository:local:/var/backups/pg/shop","status":"WARNING",
 *    "message":"newest complete backup is 25h old (warning over 24h, critical over 26h)",
 *    "facts":{"setId":"...","finishedAt":"2026-03-01T02:00:03Z","ageSeconds":90000,...}}]}
 * }</pre>
 *
 * @param at     when the checks ran
 * @param status the worst status of the checks
 * @param checks every check, in a stable order
 * @since 0.2.0
 */
public record HealthReport(Instant at, HealthStatus status, List<HealthCheck> checks) {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Checks the components; copies the list. */
    public HealthReport {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(status, "status");
        checks = List.copyOf(checks);
    }

    /**
     * @param at     when
     * @param checks the checks
     * @return a report whose status is the worst of the checks
     */
    public static HealthReport of(Instant at, List<HealthCheck> checks) {
        HealthStatus worst = checks.stream().map(HealthCheck::status).reduce(HealthStatus.OK, HealthStatus::worst);
        return new HealthReport(at, worst, checks);
    }

    /**
     * @param name a check's name
     * @return the checks with that name
     */
    public List<HealthCheck> checks(String name) {
        return checks.stream().filter(c -> c.name().equals(name)).toList();
    }

    /** @return the report as indented JSON (instants as ISO-8601 strings) */
    public String toJson() {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("status", status.name());
        root.put("at", at.toString());
        ArrayNode array = root.putArray("checks");
        for (HealthCheck c : checks) {
            ObjectNode node = array.addObject();
            node.put("name", c.name());
            node.put("component", c.component());
            node.put("status", c.status().name());
            node.put("message", c.message());
            ObjectNode facts = node.putObject("facts");
            for (Map.Entry<String, Object> fact : c.facts().entrySet()) {
                Object v = fact.getValue();
                if (v == null) {
                    facts.putNull(fact.getKey());
                } else if (v instanceof Long || v instanceof Integer) {
                    facts.put(fact.getKey(), ((Number) v).longValue());
                } else if (v instanceof Number n) {
                    facts.put(fact.getKey(), n.doubleValue());
                } else if (v instanceof Boolean b) {
                    facts.put(fact.getKey(), b);
                } else {
                    facts.put(fact.getKey(), v.toString());
                }
            }
        }
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers did not serialize", e);
        }
    }
}
