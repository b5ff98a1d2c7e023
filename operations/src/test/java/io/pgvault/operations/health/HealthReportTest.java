package io.pgvault.operations.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pgvault.api.ConfigurationException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HealthReportTest {

    @Test
    @DisplayName("the report's status is the worst of its checks; no checks is OK")
    void worst() {
        Instant at = Instant.parse("2026-03-01T00:00:00Z");
        assertThat(HealthReport.of(at, List.of()).status()).isEqualTo(HealthStatus.OK);
        assertThat(HealthReport.of(at, List.of(check(HealthStatus.OK), check(HealthStatus.UNKNOWN))).status())
                .isEqualTo(HealthStatus.UNKNOWN);
        assertThat(HealthReport.of(at, List.of(check(HealthStatus.WARNING), check(HealthStatus.UNKNOWN))).status())
                .isEqualTo(HealthStatus.WARNING);
        assertThat(HealthReport.of(at, List.of(check(HealthStatus.CRITICAL), check(HealthStatus.WARNING))).status())
                .isEqualTo(HealthStatus.CRITICAL);
    }

    @Test
    @DisplayName("the JSON rendering has status, time and every check with typed facts")
    void json() throws Exception {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("ageSeconds", 90_000L);
        facts.put("finishedAt", Instant.parse("2026-03-01T02:00:00Z"));
        facts.put("failing", true);
        HealthReport report = HealthReport.of(Instant.parse("2026-03-02T03:00:00Z"), List.of(
                new HealthCheck("backup-age", "repository:local:/x/shop", HealthStatus.WARNING, "25h old", facts)));
        JsonNode json = new ObjectMapper().readTree(report.toJson());
        assertThat(json.get("status").asText()).isEqualTo("WARNING");
        assertThat(json.get("at").asText()).isEqualTo("2026-03-02T03:00:00Z");
        JsonNode c = json.get("checks").get(0);
        assertThat(c.get("name").asText()).isEqualTo("backup-age");
        assertThat(c.get("component").asText()).isEqualTo("repository:local:/x/shop");
        assertThat(c.get("facts").get("ageSeconds").isIntegralNumber()).isTrue();
        assertThat(c.get("facts").get("ageSeconds").asLong()).isEqualTo(90_000L);
        assertThat(c.get("facts").get("finishedAt").asText()).isEqualTo("2026-03-01T02:00:00Z");
        assertThat(c.get("facts").get("failing").asBoolean()).isTrue();
    }

    @Test
    @DisplayName("thresholds grade ages and refuse warning above critical")
    void thresholds() {
        Thresholds t = Thresholds.backupAgeDefault();
        assertThat(t.status(Duration.ofHours(24))).isEqualTo(HealthStatus.OK);
        assertThat(t.status(Duration.ofHours(24).plusSeconds(1))).isEqualTo(HealthStatus.WARNING);
        assertThat(t.status(Duration.ofHours(26).plusSeconds(1))).isEqualTo(HealthStatus.CRITICAL);
        assertThatThrownBy(() -> Thresholds.of(Duration.ofHours(2), Duration.ofHours(1)))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("warning <= critical");
    }

    @Test
    @DisplayName("WAL file names give segment numbers for 16 MB and 64 MB segments; history files give none")
    void walNames() {
        long mb16 = 16L << 20;
        assertThat(WalNames.segmentNumber("000000010000000000000003", mb16)).contains(3L);
        assertThat(WalNames.segmentNumber("0000000100000002000000FF", mb16)).contains(2L * 256 + 255);
        assertThat(WalNames.segmentNumber("000000010000000100000003", 64L << 20)).contains(64L + 3);
        assertThat(WalNames.segmentNumber("000000010000000000000003.00000028.backup", mb16)).contains(3L);
        assertThat(WalNames.segmentNumber("00000002.history", mb16)).isEmpty();
    }

    private static HealthCheck check(HealthStatus status) {
        return new HealthCheck("x", "y", status, "m", Map.of());
    }
}
