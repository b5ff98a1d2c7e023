package io.pgvault.spring;

import io.pgvault.config.ConfigTree;
import io.pgvault.config.PgVaultSettings;
import io.pgvault.config.SettingsBinder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads {@code pgvault.*} from Spring's {@code Environment} into the same {@link ConfigTree} the command line reads
 * from a file, so both bind, validate and report problems identically. Values are taken through the environment
 * (placeholders resolved, Spring's precedence); environment variables go through pgvault's own mapping.
 */
final class SpringSettings {
    private SpringSettings() {
    }

    static ConfigTree tree(ConfigurableEnvironment environment) {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> variables = new LinkedHashMap<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (source instanceof SystemEnvironmentPropertySource env) {
                for (String name : env.getPropertyNames()) {
                    Object v = env.getProperty(name);
                    if (name.startsWith("PGVAULT_") && v != null) {
                        variables.putIfAbsent(name, String.valueOf(v));
                    }
                }
            } else if (source instanceof EnumerablePropertySource<?> e
                    && !"configurationProperties".equals(source.getName())) {
                for (String name : e.getPropertyNames()) {
                    String canonical = ConfigTree.canonical(name);
                    if (canonical.startsWith(SettingsBinder.ROOT + ".") && !values.containsKey(canonical)) {
                        String v = environment.getProperty(name);
                        if (v != null) {
                            values.put(canonical, v);
                        }
                    }
                }
            }
        }
        return ConfigTree.of(values, variables);
    }

    static PgVaultSettings bind(ConfigurableEnvironment environment) {
        return SettingsBinder.bind(tree(environment));
    }
}
