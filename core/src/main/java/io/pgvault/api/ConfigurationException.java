package io.pgvault.api;

import java.util.List;

/**
 * Configuration is invalid. Lists every problem found, not only the first.
 *
 * @since 0.1.0
 */
public class ConfigurationException extends PgVaultException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** Every problem found. */
    private final List<String> problems;

    /** @param message the one problem found */
    public ConfigurationException(String message) {
        this(List.of(message));
    }

    /** @param problems every problem found */
    public ConfigurationException(List<String> problems) {
        super(ErrorCode.CONFIGURATION, "invalid configuration: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** @return every problem found, in the order they were checked */
    public List<String> problems() {
        return problems;
    }

    /**
     * Throws a {@code ConfigurationException} listing {@code problems} when there are any.
     *
     * @param problems problems collected while validating
     */
    public static void throwIfAny(List<String> problems) {
        if (!problems.isEmpty()) {
            throw new ConfigurationException(problems);
        }
    }
}
