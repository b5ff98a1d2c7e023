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
 * case, indices as their own segment): {@code PGVAULT_TIERS_1_S3_PATHSTYLE}; they win over the file, and a list given
 * by one source replaces the list of a source below it whole.
 *
 * <p>The tree remembers which keys the binder read, so that a misspelt key is reported rather than silently ignored.
 *
 * @since 0.6.0
 */
public final class ConfigTree {
    private static final Pattern CAMEL = Pattern.compile("([a-z0-9])([A-Z])");
    private static final Pattern INDEX = Pattern.compile("\\[(\\d{1,6})]");
    private static final Pattern NUMBER = Pattern.compile("\\d{1,6}");

    private final Map<String, String> values;
    private final Set<String> read = Collections.synchronizedSet(new HashSet<>());

    private ConfigTree(Map<String, String> values) {
        this.values = values;
    }

    /**
     * @param properties  keys in any of the accepted spellings (values as given; blank values count as unset)
     * @param environment environment variables; {@code PGVAULT_*} ones that name a setting override the properties
     * @return the tree
     */
    public static ConfigTree of(Map<String, String> properties, Map<String, String> environment) {
        return layered(List.of(fromEnvironment(environment, references(List.of(properties))), properties));
    }

    /** @return a tree of properties alone, without environment variables */
    public static ConfigTree of(Map<String, String> properties) {
        return layered(List.of(properties));
    }

    /**
     * Layers sources as Spring Boot does: a key takes the value of the first source (highest precedence) that has it,
     * and a <em>list</em> comes whole from the first source that defines any element of it, so a profile's
     * {@code databases: [prod]} replaces the base file's {@code [app, scratch]} instead of merging into
     * {@code [prod, scratch]}.
     *
     * @param sources keys in any accepted spelling, highest precedence first
     * @return the tree
     */
    public static ConfigTree layered(List<Map<String, String>> sources) {
        Map<String, String> merged = new LinkedHashMap<>();
        Set<String> claimed = new HashSet<>();
        for (Map<String, String> source : sources) {
            Set<String> claims = new HashSet<>();
            source.forEach((k, v) -> {
                if (v == null) {
                    return;
                }
                String key = canonical(k);
                String list = listOf(key);
                if (!merged.containsKey(key) && !claimed.contains(list)) {
                    merged.put(key, v);
                }
                claims.add(list);
            });
            claimed.addAll(claims);
        }
        return new ConfigTree(merged);
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

    /** @return the key up to its first list index (the list a key belongs to), or the key itself */
    private static String listOf(String key) {
        int i = key.indexOf('[');
        return i < 0 ? key : key.substring(0, i);
    }

    /**
     * Converts {@code PGVAULT_*} environment variables to canonical keys by Spring Boot's rule, matched against the
     * settings that exist ({@code PGVAULT_TIERS_0_REPOSITORY_S3_PATHSTYLE} is
     * {@code pgvault.tiers[0].repository.s3.path-style}). A variable that names no setting is ignored with a
     * warning (Kubernetes injects {@code PGVAULT_SERVICE_HOST} and the like for a Service named pgvault), and so is
     * one that a property references as a secret ({@code password: env:PGVAULT_DATABASE_PASSWORD}).
     *
     * @param environment the process environment
     * @param referenced  names referenced as {@code env:NAME} secrets
     * @return settings from the environment, canonical keys
     */
    public static Map<String, String> fromEnvironment(Map<String, String> environment, Set<String> referenced) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(environment).entrySet()) {
            String name = e.getKey();
            if (!name.startsWith("PGVAULT_") || e.getValue() == null || referenced.contains(name)
                    || SettingsBinder.NOT_SETTINGS.contains(name)) {
                continue;
            }
            Optional<String> key = EnvironmentNames.keyOf(name);
            if (key.isPresent()) {
                out.put(key.get(), e.getValue());
            } else {
                EnvironmentNames.warnUnknown(name);
            }
        }
        return out;
    }

    /** @return the variables {@code sources} reference as {@code env:NAME} secrets */
    public static Set<String> references(List<Map<String, String>> sources) {
        Set<String> names = new HashSet<>();
        for (Map<String, String> source : sources) {
            for (String v : source.values()) {
                if (v != null) {
                    SecretRef.parse(v).filter(r -> r.kind() == SecretRef.Kind.ENV).ifPresent(r -> names.add(r.name()));
                }
            }
        }
        return names;
    }

    /** @return the environment variable Spring Boot would map onto {@code canonicalKey} */
    static String environmentName(String canonicalKey) {
        return canonicalKey.replace("[", ".").replace("]", "").replace("-", "").replace('.', '_')
                .toUpperCase(Locale.ROOT);
    }

    /**
     * @param key a canonical key
     * @return its value, blank treated as unset
     */
    Optional<String> get(String key) {
        read.add(key);
        String v = values.get(key);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    /** @return whether any key lies under {@code prefix} (a canonical section key) */
    boolean has(String prefix) {
        for (String k : values.keySet()) {
            if ((k.equals(prefix) || k.startsWith(prefix + ".") || k.startsWith(prefix + "["))
                    && !values.get(k).isBlank()) {
                return true;
            }
        }
        return false;
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
        return new ArrayList<>(found);
    }

    /**
     * @param root the canonical root, e.g. {@code pgvault}
     * @return keys under {@code root} that no binder read: misspelt or unknown settings
     */
    List<String> unread(String root) {
        List<String> out = new ArrayList<>();
        for (String k : values.keySet()) {
            // a blank value is an unset key (an emptied list, an override to nothing), not a misspelt one
            if ((k.startsWith(root + ".") || k.startsWith(root + "[")) && !read.contains(k)
                    && !values.get(k).isBlank()) {
                out.add(k);
            }
        }
        return out;
    }

    /** @return every canonical key with a value */
    public Set<String> keys() {
        return Collections.unmodifiableSet(values.keySet());
    }

    /** Lists keys only: values may be secrets. */
    @Override
    public String toString() {
        return "ConfigTree" + values.keySet();
    }
}
