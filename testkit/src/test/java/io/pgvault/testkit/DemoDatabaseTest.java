package io.pgvault.testkit;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoDatabaseTest {

    @Test
    @DisplayName("scripts are deterministic: the same arguments give the same SQL")
    void deterministic() {
        assertThat(DemoDatabase.randomText(3).sql()).isEqualTo(DemoDatabase.randomText(3).sql());
        assertThat(DemoDatabase.realistic(2).sql()).isEqualTo(DemoDatabase.realistic(2).sql())
                .doesNotContain("${scale}").contains("generate_series(1, 1000 * 2)");
        assertThat(DemoDatabase.awkward().sql()).contains("\"données\".\"ユーザー\"", "lo_from_bytea")
                .contains("CREATE SCHEMA \"Mixed Case \"\"Schema\"\"\"");
    }

    @Test
    @DisplayName("random text is generated in eight seeded parts covering every row once")
    void randomTextParts() {
        String sql = DemoDatabase.randomText(1).sql();
        assertThat(sql.split("setseed", -1)).hasSize(9);
        assertThat(sql).contains("generate_series(1, 623)").contains("generate_series(4362, 4980)");
        assertThat(DemoDatabase.randomText(5).description()).isEqualTo("randomText(5 MiB)");
    }

    @Test
    @DisplayName("sizes below one are refused")
    void invalidArguments() {
        assertThatThrownBy(() -> DemoDatabase.realistic(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DemoDatabase.randomText(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
