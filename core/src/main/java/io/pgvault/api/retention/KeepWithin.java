package io.pgvault.api.retention;

import io.pgvault.api.BackupSet;
import io.pgvault.api.ConfigurationException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Keeps every valid set that started at or after {@code now - window}. The window is measured from the plan's
 * time, not from the newest set (restic measures from the newest snapshot): "30 days" means the last 30 days of the
 * calendar, so a backup job that stopped running shows up as an empty window, while the newest valid set is still kept
 * by every plan.
 *
 * @param window how far back to keep, positive
 * @since 0.1.0
 */
public record KeepWithin(Duration window) implements RetentionPolicy {
    /** Validates the window. */
    public KeepWithin {
        Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw new ConfigurationException("keep-within window must be positive, was " + window);
        }
    }

    @Override
    public List<Keep> keeps(List<BackupSet> candidates, Instant now) {
        Instant since = now.minus(window);
        String reason = "keep-within " + window + ": started at or after " + since;
        List<Keep> keeps = new ArrayList<>();
        for (BackupSet set : candidates) {
            if (!set.startedAt().isBefore(since)) {
                keeps.add(new Keep(set.id(), reason));
            }
        }
        return keeps;
    }

    @Override
    public String describe() {
        return "keep-within " + window;
    }
}
