package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ToolException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgBackRestVersionTest {
    @Test
    @DisplayName("the tested versions (2.45, 2.55, 2.60 with any patch level) pass every policy without a warning")
    void tested() {
        assertThat(PgBackRestVersion.TESTED_VERSIONS).containsExactly("2.45", "2.55", "2.60");
        assertThat(PgBackRestVersion.TESTED).isEqualTo("2.60");
        for (VersionPolicy p : VersionPolicy.values()) {
            for (String out : new String[] {"pgBackRest 2.45\n", "pgBackRest 2.55.1\n", "pgBackRest 2.60.0\n"}) {
                PgBackRestVersion v = PgBackRestVersion.parse(out, p);
                assertThat(v.number()).isEqualTo(out.substring(11, 15));
                assertThat(v.upstream()).isTrue();
                assertThat(v.warnings()).isEmpty();
            }
        }
    }

    @Test
    @DisplayName("newer versions are accepted with a warning, refused when strict")
    void newer() {
        assertThat(PgBackRestVersion.parse("pgBackRest 2.61.0", VersionPolicy.WARN).warnings()).singleElement()
                .asString().contains("newer than 2.60");
        assertThatThrownBy(() -> PgBackRestVersion.parse("pgBackRest 2.61.0", VersionPolicy.STRICT))
                .isInstanceOf(ToolException.class).hasMessageContaining("strict");
    }

    @Test
    @DisplayName("a version between the tested ones is accepted with a warning naming them, refused when strict")
    void between() {
        assertThat(PgBackRestVersion.parse("pgBackRest 2.49", VersionPolicy.WARN).warnings()).singleElement()
                .asString().contains("2.49 is not one of the versions pgvault is tested with (2.45, 2.55, 2.60)");
        assertThatThrownBy(() -> PgBackRestVersion.parse("pgBackRest 2.49", VersionPolicy.STRICT))
                .isInstanceOf(ToolException.class).hasMessageContaining("strict").hasMessageContaining("2.45, 2.55, 2.60");
    }

    @Test
    @DisplayName("too old versions and forks are refused unless lenient")
    void oldAndForks() {
        assertThatThrownBy(() -> PgBackRestVersion.parse("pgBackRest 2.30", VersionPolicy.WARN))
                .hasMessageContaining("2.33 or later");
        assertThatThrownBy(() -> PgBackRestVersion.parse("pgBackRest 2.45-acme1 (fork)", VersionPolicy.WARN))
                .hasMessageContaining("fork");
        assertThatThrownBy(() -> PgBackRestVersion.parse("something else", VersionPolicy.LENIENT))
                .hasMessageContaining("no version");
        PgBackRestVersion fork = PgBackRestVersion.parse("pgBackRest 2.45-acme1", VersionPolicy.LENIENT);
        assertThat(fork.upstream()).isFalse();
        assertThat(fork.warnings()).anyMatch(w -> w.contains("not upstream"));
    }

    @Test
    @DisplayName("atLeast compares major, then minor; a patch level does not count")
    void atLeast() {
        PgBackRestVersion v = PgBackRestVersion.parse("pgBackRest 2.55.1", VersionPolicy.WARN);
        assertThat(v.atLeast(2, 55)).isTrue();
        assertThat(v.atLeast(2, 53)).isTrue();
        assertThat(v.atLeast(2, 56)).isFalse();
        assertThat(v.atLeast(3, 0)).isFalse();
        assertThat(v.atLeast(1, 99)).isTrue();
    }
}
