package io.pgvault.api;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The identifier of a backup set: sortable by time, safe as a repository key segment.
 * pgvault's own sets look like {@code 20261121T142501Z-3f9a1c}; pgBackRest labels ({@code 20261121-142501F}) are
 * accepted too.
 *
 * @param value the identifier text
 * @since 0.1.0
 */
public record BackupId(String value) implements Comparable<BackupId> {
    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+=-]{0,127}");
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** Validates the components; copies collections and replaces null optionals with empty ones. */
    public BackupId {
        Objects.requireNonNull(value, "value");
        if (!SAFE.matcher(value).matches()) {
            throw new ConfigurationException("invalid backup id '" + value
                    + "': use letters, digits and . _ + = - (at most 128, starting with a letter or digit)");
        }
    }

    /**
     * @param startedAt when the backup started
     * @return a new, time-ordered identifier with a random suffix
     */
    public static BackupId generate(Instant startedAt) {
        return new BackupId(STAMP.format(startedAt) + "-"
                + String.format("%06x", ThreadLocalRandom.current().nextInt(1 << 24)));
    }

    /**
     * @param value identifier text
     * @return the parsed identifier
     */
    public static BackupId of(String value) {
        return new BackupId(value);
    }

    @Override
    public int compareTo(BackupId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
