package io.pgvault.operations.schedule;

import io.pgvault.api.ConfigurationException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CronScheduleTest {

    @Test
    @DisplayName("a 5-field Unix expression fires at its minute; Sunday is 0")
    void unix() {
        CronSchedule weekly = CronSchedule.parse("0 2 * * 0");
        // 2026-03-01 is a Sunday
        assertThat(weekly.nextAfter(Instant.parse("2026-02-27T12:00:00Z")))
                .contains(Instant.parse("2026-03-01T02:00:00Z"));
        assertThat(weekly.nextAfter(Instant.parse("2026-03-01T02:00:00Z")))
                .contains(Instant.parse("2026-03-08T02:00:00Z"));
    }

    @Test
    @DisplayName("a 6-field Spring expression has seconds first; Quartz's ? is accepted too")
    void withSeconds() {
        assertThat(CronSchedule.parse("30 0 2 * * *").nextAfter(Instant.parse("2026-03-01T00:00:00Z")))
                .contains(Instant.parse("2026-03-01T02:00:30Z"));
        assertThat(CronSchedule.parse("0 0 4 1 * ?").nextAfter(Instant.parse("2026-03-02T00:00:00Z")))
                .contains(Instant.parse("2026-04-01T04:00:00Z"));
        assertThat(CronSchedule.parse("0 0 4 ? * MON-SAT").nextAfter(Instant.parse("2026-03-01T00:00:00Z")))
                .contains(Instant.parse("2026-03-02T04:00:00Z"));
    }

    @Test
    @DisplayName("the latest fire at or before an instant includes the instant itself")
    void latest() {
        CronSchedule daily = CronSchedule.parse("0 2 * * *");
        assertThat(daily.latestAtOrBefore(Instant.parse("2026-03-05T02:00:00Z")))
                .contains(Instant.parse("2026-03-05T02:00:00Z"));
        assertThat(daily.latestAtOrBefore(Instant.parse("2026-03-05T01:59:59.999Z")))
                .contains(Instant.parse("2026-03-04T02:00:00Z"));
        assertThat(daily.latestAtOrBefore(Instant.parse("2026-03-05T02:00:00.5Z")))
                .contains(Instant.parse("2026-03-05T02:00:00Z"));
    }

    @Test
    @DisplayName("hours are in the schedule's zone")
    void zone() {
        CronSchedule berlin = CronSchedule.parse("0 2 * * *", ZoneId.of("Europe/Berlin"));
        assertThat(berlin.nextAfter(Instant.parse("2026-01-10T00:00:00Z")))
                .contains(Instant.parse("2026-01-10T01:00:00Z"));
    }

    @Test
    @DisplayName("malformed, wrong-length and never-firing expressions are refused with the expression named")
    void invalid() {
        assertThatThrownBy(() -> CronSchedule.parse("61 2 * * *")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'61 2 * * *'");
        assertThatThrownBy(() -> CronSchedule.parse("0 2 * *")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("4 fields");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 30 2 *")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("never fires");
        assertThatThrownBy(() -> CronSchedule.parse("  ")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("must be set");
        assertThatThrownBy(() -> CronSchedule.parse("0 0 0 1 1 ? 2020")).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("never fires");
        for (String nonsense : new String[] {"* * * * MON-", "a b c d e", "0 2 * * 8", "0/0 * * * *", "0 0 * * * ? ?"}) {
            assertThatThrownBy(() -> CronSchedule.parse(nonsense)).as(nonsense)
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("'" + nonsense + "'");
        }
    }

    @Test
    @DisplayName("a job's builder reports every problem at once")
    void jobProblems() {
        assertThatThrownBy(() -> Job.builder("bad name").cron("x y z").misfireThreshold(null).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
                        .hasSize(4)
                        .anyMatch(p -> p.contains("job name 'bad name'"))
                        .anyMatch(p -> p.contains("'x y z' is invalid"))
                        .anyMatch(p -> p.contains("task is required"))
                        .anyMatch(p -> p.contains("misfireThreshold")));
    }

    @Test
    @DisplayName("a scheduler refuses two jobs with the same name")
    void duplicateNames() {
        Job a = Job.builder("nightly").cron("0 2 * * *").task(ctx -> { }).build();
        assertThatThrownBy(() -> Scheduler.builder().job(a).job(a).workers(0).build())
                .isInstanceOfSatisfying(ConfigurationException.class, e -> assertThat(e.problems())
                        .containsExactly("job name nightly is used more than once", "workers must be at least 1, was 0"));
    }
}
