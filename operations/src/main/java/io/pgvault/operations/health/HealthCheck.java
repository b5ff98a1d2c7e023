package io.pgvault.operations.health;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The result of one health check.
 *
 * @param name      what was checked: {@code backup-age}, {@code backup-failure}, {@code restore-drill},
 *                  {@code tier-age}, {@code tier-copy}, {@code wal-archive}
 * @param component where: {@code repository:<id>}, {@code repository:<id>/<source>}, {@code tier:<name>} or
 *                  {@code archive:<name>}
 * @param status    the verdict
 * @param message   one sentence for a human, never holding a secret
 * @param facts     the numbers behind the verdict (ages in seconds, timestamps, counts), in a stable order;
 *                  values are strings, numbers, booleans or {@link java.time.Instant}s
 * @since 0.2.0
 */
public record HealthCheck(String name, String component, HealthStatus status, String message,
        Map<String, Object> facts) {

    /** Checks the components; keeps the facts' order and makes them unmodifiable. */
    public HealthCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
        facts = facts == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(facts));
    }
}
