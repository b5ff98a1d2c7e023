package io.pgvault.spring;

import io.pgvault.api.ConfigurationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Start-up failed on pgvault's configuration: every problem, one per line, each with its property path. */
final class PgVaultFailureAnalyzer extends AbstractFailureAnalyzer<ConfigurationException> {
    @Override
    protected FailureAnalysis analyze(Throwable root, ConfigurationException cause) {
        StringBuilder description = new StringBuilder("pgvault's configuration is invalid:\n");
        cause.problems().forEach(p -> description.append("    ").append(p).append('\n'));
        return new FailureAnalysis(description.toString(), "Correct the pgvault.* properties above (names and "
                + "defaults: docs/configuration.md, Declarative configuration; your IDE completes them).", cause);
    }
}
