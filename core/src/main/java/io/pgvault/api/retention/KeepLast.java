package io.pgvault.api.retention;

import io.pgvault.api.BackupSet;
import io.pgvault.api.ConfigurationException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the newest {@code count} valid sets, whatever their type.
 *
 * @param count how many to keep, at least 1
 * @since 0.1.0
 */
public record KeepLast(int count) implements RetentionPolicy {
    /** Validates the count. */
    public KeepLast {
        if (count < 1) {
            throw new ConfigurationException("keep-last count must be at least 1, was " + count);
        }
    }

    @Override
    public List<Keep> keeps(List<BackupSet> candidates, Instant now) {
        int n = Math.min(count, candidates.size());
        List<Keep> keeps = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            keeps.add(new Keep(candidates.get(i).id(), "keep-last " + count + ": newest #" + (i + 1)));
        }
        return keeps;
    }

    @Override
    public String describe() {
        return "keep-last " + count;
    }
}
