package io.pgvault.backend.pgdump;

import io.pgvault.spi.ObjectKeys;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class ObjectNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"app", "Ünïcødé 数据库 🐘", "../etc", ".hidden", "a/b", "a=b", "with space", "-dash",
            "quote\"'", "globals", "x\ny", "%41"})
    @DisplayName("every database name becomes a safe key, in each format")
    void safe(String name) {
        for (DumpFormat f : DumpFormat.values()) {
            assertThat(ObjectKeys.validate(ObjectNames.dump(name, f))).doesNotContain("/");
        }
        assertThat(ObjectKeys.validate(ObjectNames.directoryFile(name, "toc.dat"))).endsWith(".dir/toc.dat");
    }

    @Test
    @DisplayName("plain names stay readable and distinct names stay distinct")
    void injective() {
        assertThat(ObjectNames.dump("app_1", DumpFormat.CUSTOM)).isEqualTo("app_1.dump");
        List<String> names = List.of("a.b", "a=2Eb", "a b", "a=20b", "A", "a", "é", "=C3=A9", "globals", "=67lobals");
        Set<String> encoded = new HashSet<>();
        names.forEach(n -> encoded.add(ObjectNames.encode(n)));
        assertThat(encoded).hasSameSizeAs(names);
    }

    @Test
    @DisplayName("a database called globals does not collide with globals.sql")
    void globals() {
        assertThat(ObjectNames.dump("globals", DumpFormat.PLAIN)).isNotEqualTo(ObjectNames.GLOBALS);
    }
}
