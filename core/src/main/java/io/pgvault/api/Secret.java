package io.pgvault.api;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A password, passphrase, key or token. Its {@link #toString()} is {@code ***}; the value is only available through
 * {@link #reveal()}, which pgvault calls at the last moment (to write a 0600 file or set a child's environment).
 *
 * @since 0.1.0
 */
public final class Secret {
    /** Environment variables read as secrets: child processes never inherit them (see {@link #environmentNames}). */
    private static final Set<String> ENV_NAMES = ConcurrentHashMap.newKeySet();

    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    /**
     * @param value the secret value; must not be empty
     * @return a secret holding {@code value}
     */
    public static Secret of(String value) {
        Objects.requireNonNull(value, "secret value");
        if (value.isEmpty()) {
            throw new ConfigurationException("a secret must not be empty");
        }
        return new Secret(value);
    }

    /**
     * @param name an environment variable
     * @return the secret held by that variable, if it is set and not empty
     */
    public static Optional<Secret> fromEnv(String name) {
        ENV_NAMES.add(Objects.requireNonNull(name, "name"));
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(new Secret(v));
    }

    /**
     * @return the names of the environment variables this process read secrets from with {@link #fromEnv}; the
     *         process runner removes them from every tool's inherited environment
     * @since 0.4.0
     */
    public static Set<String> environmentNames() {
        return Set.copyOf(ENV_NAMES);
    }

    /** @return the secret value; never log or print it */
    public String reveal() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && MessageDigest.isEqual(
                value.getBytes(StandardCharsets.UTF_8), other.value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return 0; // deliberately uninformative
    }

    /** @return {@code ***}, always */
    @Override
    public String toString() {
        return "***";
    }
}
