package io.pgvault.spi.process;

import io.pgvault.api.Secret;

import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Removes secrets from text before it reaches a log or an exception: every known secret value, and the values of
 * {@code password=...}-style assignments.
 *
 * @since 0.1.0
 */
public final class Redactor {
    private static final Pattern ASSIGNMENT = Pattern.compile(
            "(?i)((?:password|passphrase|secret|token|key)[A-Za-z_-]*\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|\\S+)");

    private final List<String> values;

    /** @param secrets secrets to remove */
    public Redactor(Collection<Secret> secrets) {
        this.values = secrets.stream().map(Secret::reveal).filter(v -> !v.isEmpty())
                .sorted((a, b) -> b.length() - a.length()).toList();
    }

    /**
     * @param text any text
     * @return the text with every secret replaced by {@code ***}
     */
    public String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String v : values) {
            out = out.replace(v, "***");
        }
        return ASSIGNMENT.matcher(out).replaceAll("$1***");
    }
}
