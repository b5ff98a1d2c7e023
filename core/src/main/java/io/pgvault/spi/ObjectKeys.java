package io.pgvault.spi;

import io.pgvault.api.InvalidKeyException;

import java.util.regex.Pattern;

/**
 * The rules every repository applies to keys: relative, {@code /}-separated segments of {@code [A-Za-z0-9_.+=@-]},
 * no empty, {@code .} or {@code ..} segments, no segment starting with {@code .} (reserved for a repository's own
 * temporary files), at most {@value #MAX_LENGTH} characters.
 *
 * @since 0.1.0
 */
public final class ObjectKeys {
    /** Longest key accepted (S3 allows 1024 bytes; Drive names are shorter per segment). */
    public static final int MAX_LENGTH = 512;

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_+=@-][A-Za-z0-9_.+=@-]*");

    private ObjectKeys() {
    }

    /**
     * @param key a key
     * @return {@code key}, when it is safe
     * @throws InvalidKeyException when it is not, saying why
     */
    public static String validate(String key) {
        if (key == null || key.isEmpty()) {
            throw new InvalidKeyException("a key must not be empty");
        }
        if (key.length() > MAX_LENGTH) {
            throw new InvalidKeyException("key is longer than " + MAX_LENGTH + " characters: '"
                    + key.substring(0, 40) + "...'");
        }
        if (key.startsWith("/")) {
            throw new InvalidKeyException("key must be relative, not absolute: '" + printable(key) + "'");
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new InvalidKeyException("key has an empty, '.' or '..' segment: '" + printable(key) + "'");
            }
            if (!SEGMENT.matcher(segment).matches()) {
                throw new InvalidKeyException("key segment '" + printable(segment)
                        + "' must match [A-Za-z0-9_+=@-][A-Za-z0-9_.+=@-]*");
            }
        }
        return key;
    }

    /**
     * Validates a listing prefix: empty, or a key prefix (it may end with {@code /}).
     *
     * @param prefix a prefix
     * @return {@code prefix}, when it is safe
     */
    public static String validatePrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return "";
        }
        String body = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        if (body.isEmpty()) {
            throw new InvalidKeyException("prefix must not be '/'");
        }
        validate(body);
        return prefix;
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(80).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\x%02x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
