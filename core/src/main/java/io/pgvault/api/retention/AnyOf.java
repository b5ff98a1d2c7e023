package io.pgvault.api.retention;

import io.pgvault.api.BackupSet;
import io.pgvault.api.ConfigurationException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Keeps a set when any of its policies keeps it (the union of keeps); every rule's reason is reported.
 * Nested unions are flattened.
 *
 * @param policies the policies, at least one
 * @since 0.1.0
 */
public record AnyOf(List<RetentionPolicy> policies) implements RetentionPolicy {
    /** Validates and copies the policies. */
    public AnyOf {
        Objects.requireNonNull(policies, "policies");
        if (policies.isEmpty()) {
            throw new ConfigurationException("a union of retention policies needs at least one policy");
        }
        List<RetentionPolicy> flat = new ArrayList<>();
        for (RetentionPolicy p : policies) {
            Objects.requireNonNull(p, "policy");
            if (p instanceof AnyOf any) {
                flat.addAll(any.policies());
            } else {
                flat.add(p);
            }
        }
        policies = List.copyOf(flat);
    }

    /**
     * @param policies the policies, at least one
     * @return their union
     * @since 0.1.0
     */
    public static AnyOf of(RetentionPolicy... policies) {
        return new AnyOf(Arrays.asList(policies));
    }

    @Override
    public List<Keep> keeps(List<BackupSet> candidates, Instant now) {
        List<Keep> keeps = new ArrayList<>();
        for (RetentionPolicy p : policies) {
            keeps.addAll(p.keeps(candidates, now));
        }
        return keeps;
    }

    @Override
    public String describe() {
        return policies.stream().map(RetentionPolicy::describe).collect(Collectors.joining(" + "));
    }
}
