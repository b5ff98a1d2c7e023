package io.pgvault.api.retention;

import io.pgvault.api.BackupSet;
import io.pgvault.api.ConfigurationException;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A pin keeps a set regardless of any policy: forever, or until an instant. It is recorded with
 * {@link io.pgvault.api.Catalog#pin} as an append-only record beside the set's manifest, and shows as the set's
 * attribute {@value #ATTRIBUTE} ({@code forever}, an ISO-8601 instant, or a date meaning "through the end of that
 * day, UTC") when the catalog is read; a tier copy carries it in its own manifest. {@link io.pgvault.api.Catalog#unpin}
 * revokes the pins it sees. Every {@link RetentionPlan} honours pins; a pin on an invalid set keeps it too.
 *
 * <pre>{@code
 * catalog.pin(set.id(), Pin.until(Instant.parse("2027-12-31T00:00:00Z")));
 * }</pre>
 *
 * @param until the instant the pin ends, or empty for forever
 * @since 0.1.0
 */
public record Pin(Optional<Instant> until) {
    /** The manifest attribute holding a pin. */
    public static final String ATTRIBUTE = "pin.until";
    private static final String FOREVER = "forever";

    /** Validates the components. */
    public Pin {
        until = until == null ? Optional.empty() : until;
    }

    /**
     * @return a pin that never ends
     * @since 0.1.0
     */
    public static Pin forever() {
        return new Pin(Optional.empty());
    }

    /**
     * @param until the instant the pin ends (the set is kept while {@code now < until})
     * @return a pin ending then
     * @since 0.1.0
     */
    public static Pin until(Instant until) {
        return new Pin(Optional.of(Objects.requireNonNull(until, "until")));
    }

    /**
     * @param value {@code forever}, an ISO-8601 instant, or a date (pinned through the end of that day, UTC)
     * @return the pin
     * @throws ConfigurationException when the value is none of these
     * @since 0.1.0
     */
    public static Pin parse(String value) {
        String v = Objects.requireNonNull(value, "value").trim();
        if (v.equalsIgnoreCase(FOREVER)) {
            return forever();
        }
        try {
            return until(Instant.parse(v));
        } catch (DateTimeException notInstant) {
            try {
                return until(LocalDate.parse(v).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
            } catch (DateTimeException notDate) {
                throw new ConfigurationException(ATTRIBUTE + " '" + v
                        + "' is not 'forever', an ISO-8601 instant (2027-12-31T00:00:00Z) or a date (2027-12-31)");
            }
        }
    }

    /**
     * @param set a set
     * @return its pin, if it has one
     * @throws ConfigurationException when the attribute is present but unreadable
     * @since 0.1.0
     */
    public static Optional<Pin> of(BackupSet set) {
        return set.attribute(ATTRIBUTE).map(Pin::parse);
    }

    /**
     * @param now a point in time
     * @return whether the pin still holds then
     * @since 0.1.0
     */
    public boolean activeAt(Instant now) {
        return until.map(now::isBefore).orElse(true);
    }

    /**
     * @param set a set
     * @return a copy of it carrying this pin (record a pin with {@link io.pgvault.api.Catalog#pin})
     * @since 0.1.0
     */
    public BackupSet applyTo(BackupSet set) {
        Map<String, String> attributes = new HashMap<>(set.attributes());
        attributes.put(ATTRIBUTE, toString());
        return withAttributes(set, attributes);
    }

    /**
     * @param set a set
     * @return a copy of it without a pin (revoke pins with {@link io.pgvault.api.Catalog#unpin})
     * @since 0.1.0
     */
    public static BackupSet unpin(BackupSet set) {
        Map<String, String> attributes = new HashMap<>(set.attributes());
        attributes.remove(ATTRIBUTE);
        return withAttributes(set, attributes);
    }

    private static BackupSet withAttributes(BackupSet s, Map<String, String> attributes) {
        return s.withAttributes(attributes);
    }

    /** @return the attribute value: {@code forever} or the ISO-8601 instant */
    @Override
    public String toString() {
        return until.map(Instant::toString).orElse(FOREVER);
    }
}
