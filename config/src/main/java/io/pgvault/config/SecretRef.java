package io.pgvault.config;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.Secret;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a secret is: an environment variable ({@code env:PGVAULT_PASSPHRASE}) or a file ({@code
 * file:/run/secrets/passphrase}, one trailing newline dropped). Configuration holds the reference, never the value, so a
 * configuration file can be read, logged and committed.
 *
 * @param kind where
 * @param name the variable's name or the file's path
 * @since 0.6.0
 */
public record SecretRef(Kind kind, String name) {
    /** A secret file larger than this is refused (a service account's JSON key is a few KiB). */
    static final long MAX_FILE_BYTES = 64 * 1024;
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");

    /** Where a secret is kept. */
    public enum Kind {
        /** an environment variable of the process */
        ENV,
        /** a file, read when the configuration is applied */
        FILE
    }

    /**
     * @param text {@code env:NAME} or {@code file:/absolute/path}
     * @return the reference, or empty when {@code text} is not one (an inline secret)
     */
    public static Optional<SecretRef> parse(String text) {
        String t = text.trim();
        if (t.startsWith("env:") && ENV_NAME.matcher(t.substring(4)).matches()) {
            return Optional.of(new SecretRef(Kind.ENV, t.substring(4)));
        }
        if (t.startsWith("file:") && t.length() > 5 && t.indexOf('\0') < 0) {
            try {
                if (Path.of(t.substring(5)).isAbsolute()) {
                    return Optional.of(new SecretRef(Kind.FILE, t.substring(5)));
                }
            } catch (java.nio.file.InvalidPathException e) {
                return Optional.empty(); // its message would quote the value
            }
        }
        return Optional.empty();
    }

    /**
     * Reads the secret.
     *
     * @param property the property that referenced it, for the error message
     * @return the secret
     * @throws ConfigurationException when the variable is unset or the file cannot be read (without its content)
     */
    public Secret resolve(String property) {
        if (kind == Kind.ENV) {
            return Secret.fromEnv(name).orElseThrow(() -> new ConfigurationException(property
                    + " references environment variable " + name + ", which is not set"));
        }
        try {
            Path file = Path.of(name);
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new ConfigurationException(property + " references file " + name + ", which is larger than "
                        + MAX_FILE_BYTES + " bytes: not a secret");
            }
            String s = Files.readString(file, StandardCharsets.UTF_8);
            s = s.endsWith("\r\n") ? s.substring(0, s.length() - 2) : s.endsWith("\n") ? s.substring(0,
                    s.length() - 1) : s;
            if (s.isEmpty()) {
                throw new ConfigurationException(property + " references file " + name + ", which is empty");
            }
            return Secret.of(s);
        } catch (IOException e) {
            throw new ConfigurationException(property + " references file " + name + ", which cannot be read: "
                    + e.getClass().getSimpleName());
        }
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase() + ":" + name;
    }
}
