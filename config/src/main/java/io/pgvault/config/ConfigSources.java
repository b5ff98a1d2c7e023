package io.pgvault.config;

import io.pgvault.api.ConfigurationException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Reads configuration files into a {@link ConfigTree}: YAML ({@code .yml}, {@code .yaml}, e.g. a Spring Boot
 * {@code application.yml}) or properties, with environment variables over them. YAML is read with SnakeYAML's safe
 * constructor (no custom tags, no object instantiation, bounded aliases): a configuration file cannot run code.
 *
 * @since 0.6.0
 */
public final class ConfigSources {
    private ConfigSources() {
    }

    /**
     * @param file        a {@code .yml}/{@code .yaml} or {@code .properties} file
     * @param environment environment variables ({@code PGVAULT_*} override the file)
     * @return the tree
     * @throws ConfigurationException when the file cannot be read or parsed
     */
    public static ConfigTree load(Path file, Map<String, String> environment) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        Map<String, String> flat = name.endsWith(".properties") ? properties(file) : yaml(file);
        return ConfigTree.of(flat, environment);
    }

    /** @return the YAML file's scalars flattened to keys such as {@code pgvault.tiers[0].name} */
    static Map<String, String> yaml(Path file) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(20);
        options.setAllowDuplicateKeys(false);
        options.setCodePointLimit(4 * 1024 * 1024);
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Map<String, String> flat = new LinkedHashMap<>();
            Object root = new Yaml(new SafeConstructor(options)).load(in);
            if (root != null && !(root instanceof Map)) {
                throw new ConfigurationException(file + " is not a YAML mapping of settings");
            }
            flatten("", root, flat);
            return flat;
        } catch (IOException e) {
            throw new ConfigurationException("cannot read " + file + ": " + e.getClass().getSimpleName() + " "
                    + e.getMessage());
        } catch (ConfigurationException e) {
            throw e;
        } catch (RuntimeException e) {
            // SnakeYAML and its tag constructors quote the offending value: it could be a secret typed in by mistake
            java.util.regex.Matcher where = java.util.regex.Pattern.compile("line \\d+, column \\d+")
                    .matcher(String.valueOf(e.getMessage()));
            throw new ConfigurationException(file + " is not valid YAML" + (where.find() ? " (at " + where.group()
                    + ")" : "") + ": " + e.getClass().getSimpleName());
        }
    }

    private static void flatten(String prefix, Object value, Map<String, String> out) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> flatten(prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k, v, out));
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                flatten(prefix + "[" + i + "]", list.get(i), out);
            }
        } else if (value != null) {
            out.put(prefix, String.valueOf(value));
        }
    }

    private static Map<String, String> properties(Path file) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigurationException("cannot read " + file + ": " + e.getClass().getSimpleName());
        }
        Map<String, String> flat = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> flat.put(k, p.getProperty(k)));
        return flat;
    }
}
