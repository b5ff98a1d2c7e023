package io.pgvault.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The raw properties a configuration is bound from, whatever their source: a YAML or properties file, Spring's
 * {@code Environment}, and environment variables over them.
 *
 * <p>Keys are kept in one canonical form, Spring Boot's: lower-case kebab segments and list indices in brackets,
 * {@code pgvault.tiers[1].s3.path-style}. Keys given as {@code pathStyle}, {@code path_style} or {@code tiers.1} are
 * read the same. Environment variables follow Spring Boot's rule (dots become underscores, dashes are dropped, upper
 * case, indices as their own segment): {@code PGVAULT_TIERS_1_S3_PATHSTYLE}; they win over the file.
 *
 * <p>The tree remembers which keys the binder read, so that a misspelt key is reported rather than silently ignored.
 *
 * @since 0.6.0
 */
public final class ConfigTree {
    private static final Pattern CAMEL = Pattern.compile("([a-z0-9])([A-Z])");
    private static final Pattern INDEX = Pattern.compile("\\[(\\d+)]");
    private static final Pattern NUMBER = Pattern.compile("\\d+");

    private final Map<String, String> values;
    private final Map<String, String> environment;
    private final Set<String> read = Collections.synchronizedSet(new HashSet<>());
    private final Set<String> envRead = Collections.synchronizedSet(new HashSet<>());

    private ConfigTree(Map<String, String> values, Map<String, String> environment) {
        this.values = values;
        this.environment = environment;
    }

    /**
     * @param properties  keys in any of the accepted spellings (values as given; blank values count as unset)
     * @param environment environment variables; only those starting with {@code PGVAULT_} are read as settings
     * @return the tree
     */
    public static ConfigTree of(Map<String, String> properties, Map<String, String> environment) {
        Map<String, String> canonical = new LinkedHashMap<>();
        properties.forEach((k, v) -> {
            if (v != null) {
                canonical.put(canonical(k), v);
            }
        });
        Map<String, String> env = new LinkedHashMap<>();
        environment.forEach((k, v) -> {
            if (k.startsWith("PGVAULT_") && v != null) {
                env.put(k, v);
            }
        });
        return new ConfigTree(canonical, env);
    }

    /** @return a tree of properties alone, without environment variables */
    public static ConfigTree of(Map<String, String> properties) {
        return of(properties, Map.of());
    }

    /**
     * @param key any accepted spelling of a key
     * @return its canonical form, e.g. {@code pgvault.tiers[1].s3.path-style}
     */
    public static String canonical(String key) {
        String k = INDEX.matcher(key.trim()).replaceAll(".$1");
        StringBuilder out = new StringBuilder();
        for (String segment : k.split("\\.")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (NUMBER.matcher(segment).matches()) {
                out.append('[').append(Integer.parseInt(segment)).append(']');
                continue;
            }
            String s = CAMEL.matcher(segment).replaceAll("$1-$2").replace('_', '-').toLowerCase(Locale.ROOT);
            if (out.length() > 0) {
                out.append('.');
            }
            out.append(s);
        }
        return out.toString();
    }

    /** @return the environment variable Spring Boot would map onto {@code canonicalKey} */
    static String environmentName(String canonicalKey) {
        return canonicalKey.replace("[", ".").replace("]", "").replace("-", "").replace('.', '_')
                .toUpperCase(Locale.ROOT);
    }

    /**
     * @param key a canonical key
     * @return its value (an environment variable first), blank treated as unset
     */
    Optional<String> get(String key) {
        read.add(key);
        String envName = environmentName(key);
        String v = environment.get(envName);
        if (v != null) {
            envRead.add(envName);
        } else {
            v = values.get(key);
        }
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    /** @return whether any key lies under {@code prefix} (a canonical section key) */
    boolean has(String prefix) {
        String envPrefix = environmentName(prefix) + "_";
        for (String k : values.keySet()) {
            if ((k.equals(prefix) || k.startsWith(prefix + ".") || k.startsWith(prefix + "["))
                    && !values.get(k).isBlank()) {
                return true;
            }
        }
        return environment.keySet().stream().anyMatch(e -> e.startsWith(envPrefix) || e.equals(envPrefix
                .substring(0, envPrefix.length() - 1)));
    }

    /**
     * @param list a canonical key of a list
     * @return the indices present, sorted (a list given as one comma-separated value has none)
     */
    List<Integer> indices(String list) {
        Set<Integer> found = new TreeSet<>();
        Pattern p = Pattern.compile(Pattern.quote(list) + "\\[(\\d+)]");
        for (String k : values.keySet()) {
            Matcher m = p.matcher(k);
            if (m.lookingAt()) {
                found.add(Integer.parseInt(m.group(1)));
            }
        }
        Pattern e = Pattern.compile(Pattern.quote(environmentName(list)) + "_(\\d+)(_|$)");
        for (String k : environment.keySet()) {
            Matcher m = e.matcher(k);
            if (m.lookingAt()) {
                found.add(Integer.parseInt(m.group(1)));
            }
        }
        return new ArrayList<>(found);
    }

    /**
     * @param root   the canonical root, e.g. {@code pgvault}
     * @param ignore environment variables that are not settings (secrets referenced by name, the CLI's own)
     * @return keys under {@code root} that no binder read: misspelt or unknown settings
     */
    List<String> unread(String root, Set<String> ignore) {
        List<String> out = new ArrayList<>();
        for (String k : values.keySet()) {
            if ((k.startsWith(root + ".") || k.startsWith(root + "[")) && !read.contains(k)) {
                out.add(k);
            }
        }
        for (String e : environment.keySet()) {
            if (!envRead.contains(e) && !ignore.contains(e)) {
                out.add(e);
            }
        }
        return out;
    }

    /** @return every canonical key with a value (not the environment) */
    public Set<String> keys() {
        return Collections.unmodifiableSet(values.keySet());
    }

    /** Lists keys only: values may be secrets. */
    @Override
    public String toString() {
        return "ConfigTree" + values.keySet();
    }
}
