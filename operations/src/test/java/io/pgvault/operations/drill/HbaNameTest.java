package io.pgvault.operations.drill;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Names a restored (possibly tampered) catalog supplies are written into the drill's pg_hba.conf only when they cannot
 * mean more than one role there.
 */
class HbaNameTest {
    @Test
    @DisplayName("a plain name is quoted as it is, spaces included")
    void plain() {
        assertThat(ThrowawayPostgres.hbaName("postgres")).isEqualTo("\"postgres\"");
        assertThat(ThrowawayPostgres.hbaName("admin ")).isEqualTo("\"admin \"");
    }

    @Test
    @DisplayName("a leading '/' (a regular expression in PostgreSQL 16+, quoted or not: '/.*' admits every role), a "
            + "quote, a control character or nothing is refused")
    void refused() {
        for (String name : new String[] {"/.*", "/x", "a\"b", "a\nb", ""}) {
            assertThatThrownBy(() -> ThrowawayPostgres.hbaName(name)).as(name)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
