package io.pgvault.api.retention;

import io.pgvault.api.ConfigurationException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RetentionEnvironmentTest {
    @Test
    @DisplayName("the template's 7/4/12 becomes a calendar policy; nothing set means no policy")
    void template() {
        assertThat(RetentionEnvironment.fromEnvironment(Map.of("BACKUP_RETENTION_DAILY", "7",
                "BACKUP_RETENTION_WEEKLY", "4", "BACKUP_RETENTION_MONTHLY", " 12 ", "BACKUP_DIR", "/x")))
                .contains(new CalendarRetention(0, 7, 4, 12, 0, java.time.ZoneOffset.UTC));
        assertThat(RetentionEnvironment.fromEnvironment(Map.of("BACKUP_RETENTION_DAILY", ""))).isEmpty();
    }

    @Test
    @DisplayName("every rule at once is a union")
    void everything() {
        assertThat(RetentionEnvironment.fromEnvironment(Map.of("BACKUP_RETENTION_LAST", "3",
                "BACKUP_RETENTION_WITHIN", "30d", "BACKUP_RETENTION_DAILY", "7",
                "BACKUP_RETENTION_TIMEZONE", "Europe/Berlin", "BACKUP_RETENTION_FULL", "4",
                "BACKUP_RETENTION_DIFF", "2")))
                .contains(new AnyOf(List.of(new KeepLast(3), new KeepWithin(Duration.ofDays(30)),
                        new CalendarRetention(0, 7, 0, 0, 0, ZoneId.of("Europe/Berlin")),
                        new FullChainRetention(4, OptionalInt.of(2)))));
        assertThat(RetentionEnvironment.fromEnvironment(Map.of("BACKUP_RETENTION_WITHIN", "P2DT12H")))
                .contains(new KeepWithin(Duration.ofHours(60)));
    }

    @Test
    @DisplayName("every invalid value is reported at once, naming the variable and the value")
    void invalid() {
        assertThatThrownBy(() -> RetentionEnvironment.fromEnvironment(Map.of("BACKUP_RETENTION_DAILY", "seven",
                "BACKUP_RETENTION_MONTHLY", "-1", "BACKUP_RETENTION_TIMEZONE", "Mars/Olympus",
                "BACKUP_RETENTION_WITHIN", "soon", "BACKUP_RETENTION_DIFF", "4")))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems()).containsExactly(
                        "BACKUP_RETENTION_DAILY='seven' is not a whole number of 0 or more (0 turns the rule off)",
                        "BACKUP_RETENTION_MONTHLY='-1' is not a whole number of 0 or more (0 turns the rule off)",
                        "BACKUP_RETENTION_TIMEZONE='Mars/Olympus' is not a time zone id (e.g. UTC, Europe/Berlin)",
                        "BACKUP_RETENTION_WITHIN='soon' is not a positive duration (30d, 12h, 2w, 90m or ISO-8601 "
                                + "such as P30D)",
                        "BACKUP_RETENTION_DIFF is set but BACKUP_RETENTION_FULL is not: differentials are counted on "
                                + "kept fulls"));
    }
}
