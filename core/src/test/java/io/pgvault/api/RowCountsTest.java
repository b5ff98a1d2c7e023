package io.pgvault.api;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RowCountsTest {
    private static BackupSet withAttribute(String value) {
        Instant t = Instant.parse("2026-12-01T00:00:00Z");
        return new BackupSet(BackupId.of("20261201T000000Z-abcdef"), "pgdump", BackupType.LOGICAL,
                BackupStatus.COMPLETE, "shop", t, t, Optional.empty(), List.of(),
                value == null ? Map.of() : Map.of(RowCounts.ATTRIBUTE, value), Optional.empty());
    }

    @Test
    @DisplayName("counts written as the attribute read back equal, names with quotes and dots included")
    void roundTrip() {
        Map<String, Map<String, Long>> dbs = new LinkedHashMap<>();
        dbs.put("shop", Map.of("public.orders", 2000L, "\"odd\".\"na\"\"me\"", 0L));
        dbs.put("crm", Map.of());
        RowCounts counts = new RowCounts(dbs);
        RowCounts read = RowCounts.of(withAttribute(counts.toAttribute())).orElseThrow();
        assertThat(read).isEqualTo(counts);
        assertThat(read.databases().keySet()).containsExactly("crm", "shop"); // written sorted by name
        assertThat(read.of("shop")).get().extracting(m -> m.get("public.orders")).isEqualTo(2000L);
        assertThat(counts.toAttribute()).doesNotContain("\n");
    }

    @Test
    @DisplayName("no attribute: empty; a garbled or negative one: IntegrityException naming the set")
    void badInput() {
        assertThat(RowCounts.of(withAttribute(null))).isEmpty();
        assertThatThrownBy(() -> RowCounts.of(withAttribute("{\"shop\":[1,2]}")))
                .isInstanceOf(IntegrityException.class).hasMessageContaining("20261201T000000Z-abcdef");
        assertThatThrownBy(() -> RowCounts.of(withAttribute("{\"shop\":{\"t\":-1}}")))
                .isInstanceOf(IntegrityException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> RowCounts.of(withAttribute("{\"shop\":{\"t\":null}}")))
                .isInstanceOf(IntegrityException.class);
        for (String coerced : java.util.List.of("{\"shop\":{\"t\":1.9}}", "{\"shop\":{\"t\":\"12\"}}",
                "{\"shop\":{\"t\":5,\"t\":0}}")) {
            assertThatThrownBy(() -> RowCounts.of(withAttribute(coerced))).as(coerced)
                    .isInstanceOf(IntegrityException.class);
        }
    }
}
