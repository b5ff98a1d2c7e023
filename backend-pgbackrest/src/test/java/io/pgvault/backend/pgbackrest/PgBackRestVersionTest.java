package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ToolException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgBackRestVersionTest {
    @Test
    @DisplayName("the tested version passes every policy without a warning")
    void tested() {
        for (VersionPolicy p : VersionPolicy.values()) {
            PgBackRestVersion v = PgBackRestVersion.parse("pgBackRest 2.45\n", p);
            assertThat(v.number()).isEqualTo("2.45");
            assertThat(v.upstream()).isTrue();
            assertThat(v.warnings()).isEmpty();
        }
    }

    @Test
    @DisplayName("newer versions are accepted with a warning, refused when strict")
    void newer() {
        assertThat(PgBackRestVersion.parse("pgBackRest 2.57.0", VersionPolicy.WARN).warnings()).singleElement()
                .asString().contains("newer than 2.45");
        assertThatThrownBy(() -> PgBackRestVersion.parse("pgBackRest 2.57.0", VersionPolicy.STRICT))
                .isInstanceOf(ToolException.class).hasMessageContaining("strict");
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
