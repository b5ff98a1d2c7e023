package io.pgvault.config;

import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One section of a {@link ConfigTree} being bound: typed reads that record every problem with its property path
 * instead of stopping at the first, and declare each property to the {@link ConfigSchema} as they go.
 *
 * @since 0.6.0
 */
public final class ConfigNode {
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d|w)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(|b|kb|kib|mb|mib|gb|gib|tb|tib)");

    private final Binding binding;
    private final String path;

    ConfigNode(Binding binding, String path) {
        this.binding = binding;
        this.path = path;
    }

    /** @return this section's canonical path, e.g. {@code pgvault.tiers[1].s3} */
    public String path() {
        return path;
    }

    /** @return the canonical path of {@code name} in this section */
    public String key(String name) {
        return path + "." + name;
    }

    /** @return the sub-section {@code name} */
    public ConfigNode child(String name) {
        return new ConfigNode(binding, key(name));
    }

    /** @return whether anything is set under {@code name} (always true while describing the schema) */
    public boolean has(String name) {
        return binding.describing() || binding.tree().has(key(name));
    }

    /**
     * @param name        a list of sections, e.g. {@code tiers}
     * @param description what one element is
     * @return the elements present, in index order (one while describing the schema)
     */
    public List<ConfigNode> list(String name, String description) {
        binding.schema().section(key(name) + "[*]", description);
        if (binding.describing()) {
            return List.of(new ConfigNode(binding, key(name) + "[*]"));
        }
        binding.tree().get(key(name)); // an emptied list (tiers: [] in a profile) arrives as a blank value
        List<Integer> indices = binding.tree().indices(key(name));
        for (int i = 0; i < indices.size(); i++) {
            if (indices.get(i) != i) {
                problem(name, "has elements " + indices + ": a list's indices run 0, 1, 2, ... without gaps");
                return List.of();
            }
        }
        List<ConfigNode> out = new ArrayList<>();
        for (int i : indices) {
            out.add(new ConfigNode(binding, key(name) + "[" + i + "]"));
        }
        return out;
    }

    /** Records a problem of property {@code name} of this section. */
    public void problem(String name, String message) {
        binding.problem(name == null ? path : key(name), message);
    }

    /** @return the raw value of {@code name}, declared as a string */
    public Optional<String> string(String name, String description) {
        return read(name, "string", null, description, Optional::of);
    }

    /** @return the value of {@code name}, or {@code fallback} */
    public String string(String name, String fallback, String description) {
        return read(name, "string", fallback, description, Optional::of).orElse(fallback);
    }

    /** @return the value of {@code name}; a missing value is a problem (and {@code ""} is returned) */
    public String required(String name, String description) {
        Optional<String> v = read(name, "string", null, description + " (required)", Optional::of);
        if (v.isEmpty() && !binding.describing()) {
            problem(name, "is required: " + description);
        }
        return v.orElse("");
    }

    /** @return an integer in [min, max], or {@code fallback} */
    public int integer(String name, int fallback, int min, int max, String description) {
        return read(name, "integer", String.valueOf(fallback), description, raw -> {
            try {
                int v = Integer.parseInt(raw);
                if (v < min || v > max) {
                    problem(name, "must be between " + min + " and " + max + ", was " + v);
                    return Optional.empty();
                }
                return Optional.of(v);
            } catch (NumberFormatException e) {
                problem(name, "must be a whole number, was '" + raw + "'");
                return Optional.empty();
            }
        }).orElse(fallback);
    }

    /** @return an optional integer in [min, max] */
    public Optional<Integer> integer(String name, int min, int max, String description) {
        binding.schema().property(key(name), "integer", null, description);
        if (binding.describing() || binding.tree().get(key(name)).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(integer(name, min, min, max, description));
    }

    /** @return {@code true}/{@code false} (also yes/no, on/off), or {@code fallback} */
    public boolean bool(String name, boolean fallback, String description) {
        return read(name, "boolean", String.valueOf(fallback), description, raw -> {
            switch (raw.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> {
                    return Optional.of(true);
                }
                case "false", "no", "off" -> {
                    return Optional.of(false);
                }
                default -> {
                    problem(name, "must be true or false, was '" + raw + "'");
                    return Optional.empty();
                }
            }
        }).orElse(fallback);
    }

    /** @return a positive duration: {@code 30s}, {@code 15m}, {@code 26h}, {@code 7d}, {@code 2w}, ISO {@code PT26H} */
    public Optional<Duration> duration(String name, String description) {
        return read(name, "duration", null, description, raw -> parseDuration(name, raw));
    }

    /** @return a positive duration, or {@code fallback} */
    public Duration duration(String name, Duration fallback, String description) {
        return read(name, "duration", fallback.toString(), description, raw -> parseDuration(name, raw))
                .orElse(fallback);
    }

    private Optional<Duration> parseDuration(String name, String raw) {
        String s = raw.trim().toLowerCase(Locale.ROOT);
        Matcher m = SHORT_DURATION.matcher(s);
        Duration d = null;
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
        } else {
            try {
                d = Duration.parse(raw.trim().toUpperCase(Locale.ROOT));
            } catch (DateTimeException e) {
                // reported below
            }
        }
        if (d == null || d.isNegative() || d.isZero()) {
            problem(name, "must be a positive duration such as 30s, 15m, 26h, 7d, 2w or PT26H, was '" + raw + "'");
            return Optional.empty();
        }
        return Optional.of(d);
    }

    /** @return a size in bytes: {@code 8388608}, {@code 8MiB}, {@code 8MB} (both 2^20), in [min, max] */
    public long bytes(String name, long fallback, long min, long max, String description) {
        return read(name, "size", String.valueOf(fallback), description, raw -> {
            Matcher m = SIZE.matcher(raw.trim().toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                problem(name, "must be a size such as 8MiB or 1GiB, was '" + raw + "'");
                return Optional.empty();
            }
            long unit = switch (m.group(2)) {
                case "kb", "kib" -> 1L << 10;
                case "mb", "mib" -> 1L << 20;
                case "gb", "gib" -> 1L << 30;
                case "tb", "tib" -> 1L << 40;
                default -> 1;
            };
            long v = Long.parseLong(m.group(1)) * unit;
            if (v < min || v > max) {
                problem(name, "must be between " + min + " and " + max + " bytes, was " + raw);
                return Optional.empty();
            }
            return Optional.of(v);
        }).orElse(fallback);
    }

    /** @return one of the enum's constants (any case, dashes for underscores), or {@code fallback} */
    public <E extends Enum<E>> E choice(String name, Class<E> type, E fallback, String description) {
        String names = Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)
                .replace('_', '-')).reduce((a, b) -> a + ", " + b).orElse("");
        return read(name, "one of " + names, fallback == null ? null : fallback.name().toLowerCase(Locale.ROOT)
                .replace('_', '-'), description, raw -> {
                    String wanted = raw.trim().replace('-', '_').toUpperCase(Locale.ROOT);
                    for (E c : type.getEnumConstants()) {
                        if (c.name().equals(wanted)) {
                            return Optional.of(c);
                        }
                    }
                    problem(name, "must be one of " + names + ", was '" + raw + "'");
                    return Optional.<E>empty();
                }).orElse(fallback);
    }

    /** @return a path (made absolute against the working directory) */
    public Optional<Path> path(String name, String description) {
        return read(name, "path", null, description, raw -> {
            try {
                return Optional.of(Path.of(raw).toAbsolutePath().normalize());
            } catch (InvalidPathException e) {
                problem(name, "is not a valid path: " + e.getReason());
                return Optional.empty();
            }
        });
    }

    /** @return an absolute URI with a scheme and host */
    public Optional<URI> uri(String name, String description) {
        return read(name, "uri", null, description, raw -> {
            try {
                URI u = URI.create(raw);
                if (u.getScheme() == null || u.getHost() == null) {
                    problem(name, "must be an absolute URI such as https://s3.example.com:9000, was '" + raw + "'");
                    return Optional.empty();
                }
                return Optional.of(u);
            } catch (IllegalArgumentException e) {
                problem(name, "is not a valid URI: '" + raw + "'");
                return Optional.empty();
            }
        });
    }

    /** @return a time zone id such as {@code Europe/Berlin}, or UTC */
    public ZoneId zone(String name, String description) {
        return read(name, "zone", "UTC", description, raw -> {
            try {
                return Optional.of(ZoneId.of(raw));
            } catch (DateTimeException e) {
                problem(name, "is not a time zone id such as UTC or Europe/Berlin: '" + raw + "'");
                return Optional.empty();
            }
        }).orElse(ZoneId.of("UTC"));
    }

    /**
     * A secret is referenced, never inlined: {@code env:NAME} (an environment variable) or {@code file:/path} (a file,
     * e.g. a mounted Kubernetes secret). An inline value is a problem whose message does not repeat it.
     *
     * @return the reference
     */
    public Optional<SecretRef> secret(String name, String description) {
        return read(name, "secret reference", null, description + " (env:NAME or file:/path, never the value)",
                raw -> {
                    Optional<SecretRef> ref = SecretRef.parse(raw);
                    if (ref.isEmpty()) {
                        problem(name, "must reference the secret as env:NAME or file:/path; an inline value is "
                                + "refused (it would sit in a file or the process environment in clear)");
                    }
                    return ref;
                });
    }

    /** @return a list of strings, given as a YAML list or as one comma-separated value */
    public List<String> strings(String name, String description) {
        binding.schema().property(key(name), "list of strings", null, description);
        if (binding.describing()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        binding.tree().get(key(name)).ifPresent(v -> Arrays.stream(v.split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).forEach(out::add));
        for (int i : binding.tree().indices(key(name))) {
            binding.tree().get(key(name) + "[" + i + "]").ifPresent(out::add);
        }
        return out;
    }

    private <T> Optional<T> read(String name, String type, String fallback, String description,
            Function<String, Optional<T>> parse) {
        binding.schema().property(key(name), type, fallback, description);
        if (binding.describing()) {
            return Optional.empty();
        }
        return binding.tree().get(key(name)).flatMap(parse);
    }

    @Override
    public String toString() {
        return path;
    }
}
