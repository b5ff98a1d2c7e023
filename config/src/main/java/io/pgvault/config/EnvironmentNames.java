package io.pgvault.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps {@code PGVAULT_*} environment variables onto the settings that exist, by Spring Boot's rule (dots to
 * underscores, dashes dropped, upper case, list indices as segments). Matching against the schema resolves what the
 * rule alone cannot: {@code PATHSTYLE} is {@code path-style}.
 */
final class EnvironmentNames {
    private static final Logger LOG = LoggerFactory.getLogger(EnvironmentNames.class);
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();
    private static volatile List<Rule> rules;

    /** A setting's variable pattern and how to rebuild its key from the indices matched. */
    private record Rule(Pattern pattern, String[] keyParts) {
        Optional<String> key(String variable) {
            Matcher m = pattern.matcher(variable);
            if (!m.matches()) {
                return Optional.empty();
            }
            StringBuilder sb = new StringBuilder(keyParts[0]);
            for (int i = 1; i < keyParts.length; i++) {
                sb.append('[').append(Integer.parseInt(m.group(i))).append(']').append(keyParts[i]);
            }
            return Optional.of(sb.toString());
        }
    }

    private EnvironmentNames() {
    }

    static Optional<String> keyOf(String variable) {
        for (Rule r : rules()) {
            Optional<String> key = r.key(variable);
            if (key.isPresent()) {
                return key;
            }
        }
        return Optional.empty();
    }

    static void warnUnknown(String variable) {
        if (WARNED.add(variable)) {
            LOG.warn("environment variable {} names no pgvault setting: ignored", variable);
        }
    }

    private static List<Rule> rules() {
        List<Rule> r = rules;
        if (r == null) {
            r = new ArrayList<>();
            for (ConfigSchema.Property p : SettingsBinder.schema().properties()) {
                if (p.section()) {
                    continue;
                }
                r.add(rule(p.name()));
                if (p.type().startsWith("list")) {
                    r.add(rule(p.name() + "[*]"));
                }
            }
            rules = r;
        }
        return r;
    }

    private static Rule rule(String name) {
        String[] parts = name.split("\\[\\*]", -1);
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append("_(\\d+)");
            }
            regex.append(Pattern.quote(ConfigTree.environmentName(parts[i])));
        }
        return new Rule(Pattern.compile(regex.toString()), parts);
    }
}
