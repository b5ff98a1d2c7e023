package io.pgvault.testkit;

import io.pgvault.spi.ObjectKeys;
import org.junit.jupiter.api.Named;

import java.util.stream.Stream;

/** Keys and prefixes every repository must refuse, named readably for test reports. */
final class UnsafeKeys {
    private UnsafeKeys() {
    }

    static Stream<Named<String>> keys() {
        return Stream.of(
                Named.of("an empty key", ""),
                Named.of("'..'", ".."),
                Named.of("'a/../b'", "a/../b"),
                Named.of("an absolute key '/abs'", "/abs"),
                Named.of("an empty segment 'a//b'", "a//b"),
                Named.of("a trailing slash 'a/'", "a/"),
                Named.of("a dot-file '.hidden'", ".hidden"),
                Named.of("a nested dot-file 'a/.hidden'", "a/.hidden"),
                Named.of("a '.' segment 'a/./b'", "a/./b"),
                Named.of("a space", "a b"),
                Named.of("a NUL character", "a\0b"),
                Named.of("a newline", "a\nb"),
                Named.of("a backslash", "a\\b"),
                Named.of("a non-ASCII letter", "caf\u00e9"),
                Named.of("a key longer than ObjectKeys.MAX_LENGTH", "k".repeat(ObjectKeys.MAX_LENGTH + 1)));
    }

    static Stream<Named<String>> prefixes() {
        return Stream.of(
                Named.of("'/'", "/"),
                Named.of("an absolute prefix '/abs'", "/abs"),
                Named.of("'..'", ".."),
                Named.of("'a/../'", "a/../"),
                Named.of("an empty segment 'a//'", "a//"),
                Named.of("a dot-file prefix '.hid'", ".hid"),
                Named.of("a '.' segment 'a/./'", "a/./"),
                Named.of("a space", "a b"),
                Named.of("a NUL character", "a\0"),
                Named.of("a backslash", "a\\b"),
                Named.of("a prefix longer than ObjectKeys.MAX_LENGTH", "k".repeat(ObjectKeys.MAX_LENGTH + 1)));
    }
}
