package io.pgvault.spring;

import io.pgvault.config.ConfigTree;
import io.pgvault.config.PgVaultSettings;
import io.pgvault.config.SettingsBinder;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code pgvault.*} from Spring's {@code Environment} into the same {@link ConfigTree} the command line reads
 * from a file, so both bind, validate and report problems identically. Sources keep Spring's precedence (command line
 * over environment variables over {@code application.yml}), a list comes whole from the first source that has it, and
 * placeholders are resolved by the environment.
 */
final class SpringSettings {
    private SpringSettings() {
    }

    static ConfigTree tree(ConfigurableEnvironment environment) {
        List<Map<String, String>> layers = new ArrayList<>();
        List<Map<String, String>> files = new ArrayList<>();
        List<Integer> environmentAt = new ArrayList<>();
        Map<String, String> variables = new LinkedHashMap<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (source instanceof SystemEnvironmentPropertySource env) {
                for (String name : env.getPropertyNames()) {
                    Object v = env.getProperty(name);
                    if (name.startsWith("PGVAULT_") && v != null) {
                        variables.putIfAbsent(name, String.valueOf(v));
                    }
                }
                environmentAt.add(layers.size());
                layers.add(null); // filled below, once the references of every source are known
            } else if (source instanceof EnumerablePropertySource<?> e
                    && !"configurationProperties".equals(source.getName())) {
                Map<String, String> layer = new LinkedHashMap<>();
                for (String name : e.getPropertyNames()) {
                    if (ConfigTree.canonical(name).startsWith(SettingsBinder.ROOT + ".")) {
                        Object raw = e.getProperty(name);
                        // the source's own value, placeholders resolved: Spring's precedence is the layers' order
                        String v = raw == null ? null : environment.resolvePlaceholders(String.valueOf(raw));
                        if (v != null) {
                            layer.put(name, v);
                        }
                    }
                }
                layers.add(layer);
                files.add(layer);
            }
        }
        Set<String> referenced = ConfigTree.references(files);
        for (int at : environmentAt) {
            layers.set(at, ConfigTree.fromEnvironment(variables, referenced));
        }
        return ConfigTree.layered(layers);
    }

    static PgVaultSettings bind(ConfigurableEnvironment environment) {
        return SettingsBinder.bind(tree(environment));
    }
}
