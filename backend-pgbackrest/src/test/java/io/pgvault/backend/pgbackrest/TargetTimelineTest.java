package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ConfigurationException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --target-timeline} values: current, latest, or a positive 32-bit timeline number. */
class TargetTimelineTest {

    @Test
    @DisplayName("current, latest and a number render as pgBackRest expects them")
    void options() {
        assertThat(TargetTimeline.current().option()).isEqualTo("current");
        assertThat(TargetTimeline.latest().option()).isEqualTo("latest");
        assertThat(TargetTimeline.of(10).option()).isEqualTo("10");
        assertThat(TargetTimeline.of(0xFFFF_FFFFL).option()).isEqualTo("4294967295");
    }

    @Test
    @DisplayName("parse takes current, latest, decimal and 0x-hexadecimal (as WAL file names show timelines)")
    void parse() {
        assertThat(TargetTimeline.parse(" Current ")).isEqualTo(TargetTimeline.current());
        assertThat(TargetTimeline.parse("latest")).isEqualTo(TargetTimeline.latest());
        assertThat(TargetTimeline.parse("12")).isEqualTo(TargetTimeline.of(12));
        assertThat(TargetTimeline.parse("0xA")).isEqualTo(TargetTimeline.of(10));
    }

    @Test
    @DisplayName("zero, negative, too large and non-numbers are refused")
    void invalid() {
        assertThatThrownBy(() -> TargetTimeline.of(0)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("1..4294967295");
        assertThatThrownBy(() -> TargetTimeline.of(-3)).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> TargetTimeline.of(0x1_0000_0000L)).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> TargetTimeline.parse("newest")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("current, latest or a timeline number");
        assertThatThrownBy(() -> TargetTimeline.parse(null)).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> TargetTimeline.parse("0")).isInstanceOf(ConfigurationException.class);
    }
}
