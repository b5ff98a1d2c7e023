package io.pgvault.storage.gdrive;

import io.pgvault.testkit.MutableClock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("UploadBudget infers Drive's daily upload limit")
class UploadBudgetTest {
    private final MutableClock clock = new MutableClock("2026-12-06T10:00:00Z");
    private final UploadBudget budget = new UploadBudget(750_000_000_000L, clock);

    @Test
    @DisplayName("refusals on every attempt are the limit only once they lasted RATE_LIMIT_PATIENCE (100 s)")
    void patience() {
        assertThat(budget.limitReached(8, 8, Duration.ofSeconds(2))).isNull();
        assertThat(budget.limitReached(8, 8, Duration.ofSeconds(99))).isNull();
        assertThat(budget.limitReached(8, 8, UploadBudget.RATE_LIMIT_PATIENCE)).contains("every one of 8 attempts");
        assertThat(budget.limitReached(7, 8, Duration.ofMinutes(5))).as("attempts left").isNull();
    }

    @Test
    @DisplayName("once met, the limit holds (a probe per chunk) until bytes go through or for an hour at most")
    void limitMetExpires() {
        budget.limitMet();
        assertThat(budget.limitReached(1, 8, Duration.ZERO)).contains("stopped at the limit");
        clock.advance(Duration.ofMinutes(59));
        assertThat(budget.limitReached(1, 8, Duration.ZERO)).contains("stopped at the limit");
        clock.advance(Duration.ofMinutes(2));
        assertThat(budget.limitReached(1, 8, Duration.ZERO)).isNull();

        budget.limitMet();
        budget.uploaded(1);
        assertThat(budget.limitReached(1, 8, Duration.ZERO)).as("a chunk went through").isNull();
    }
}
