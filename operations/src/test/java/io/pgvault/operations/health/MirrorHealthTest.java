package io.pgvault.operations.health;

import io.pgvault.api.tier.Tier;
import io.pgvault.backend.pgbackrest.mirror.PgBackRestMirror;
import io.pgvault.storage.local.LocalRepository;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** Health of a pgBackRest mirror, read from its records alone (issue 18): WAL holes, missed sets, checksum flags. */
class MirrorHealthTest {
    private static final String SHA = "0".repeat(63) + "1";

    private static String set(String label, String walPolicy, boolean flagged, String... segments) {
        StringBuilder wal = new StringBuilder();
        for (String seg : segments) {
            wal.append(wal.length() == 0 ? "" : ",").append("{\"path\":\"archive/main/15-1/")
                    .append(seg, 0, 16).append('/').append(seg).append('-').append("a".repeat(40))
                    .append(".zst\",\"size\":10,\"sha256\":\"").append(SHA).append("\"}");
        }
        return """
                {"format":2,"kind":"pgbackrest-mirror-set","stanza":"main","label":"%s","type":"FULL",
                 "references":[],"startedAt":"2026-11-30T23:00:00Z","stoppedAt":"2026-11-30T23:01:00Z",
                 "archiveId":"15-1","walStart":"%s","walStop":"%s","walPolicy":"%s","cipher":"none",
                 "mirroredAt":"2026-12-01T02:00:00Z","systemId":"7000000000000000001","checksumError":%s,
                 "files":[{"path":"backup/main/%s/backup.manifest","size":10,"sha256":"%s"}],
                 "wal":[%s],
                 "info":[{"path":"backup/main/backup.info","size":10,"sha256":"%s","key":"snapshots/main/%s"}]}
                """.formatted(label, segments[0], segments[0], walPolicy, flagged, label, SHA, wal, SHA, SHA);
    }

    private static void put(LocalRepository repo, String key, String json) {
        repo.put(key, out -> out.write(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    @DisplayName("a hole in a PITR set's WAL, a missed set and a flagged set are WARNINGs naming them; a whole "
            + "mirror is OK")
    void coverage(@TempDir Path dir) {
        LocalRepository repo = LocalRepository.at(dir);
        Clock clock = Clock.fixed(Instant.parse("2026-12-06T00:00:00Z"), ZoneOffset.UTC);
        PgBackRestMirror mirror = PgBackRestMirror.builder("main").tier(Tier.builder("drive", repo).build())
                .clock(clock).build();
        put(repo, "pgbackrest/sets/main/20261130-230000F.json", set("20261130-230000F", "PITR", false,
                "000000010000000000000003", "000000010000000000000004"));
        HealthCheck whole = BackupHealth.mirrorChecks(mirror).get(0);
        assertThat(whole.status()).isEqualTo(HealthStatus.OK);

        put(repo, "pgbackrest/sets/main/20261031-230000F.json", set("20261031-230000F", "PITR", true,
                "000000010000000000000001", "000000010000000000000002", "000000010000000000000009"));
        put(repo, "pgbackrest/pending/main.json", """
                {"format":2,"kind":"pgbackrest-mirror-pending","stanza":"main","labels":[],
                 "missed":{"20260930-230000F":"2026-12-01T00:00:00Z","20260831-230000F":"2026-09-01T00:00:00Z"}}""");
        HealthReport report = BackupHealth.builder().clock(clock).build().watchMirror(mirror).check();
        HealthCheck coverage = report.checks().stream().filter(c -> c.name().equals("mirror-coverage")).findFirst()
                .orElseThrow();
        assertThat(coverage.status()).isEqualTo(HealthStatus.WARNING);
        assertThat(coverage.component()).isEqualTo("mirror:drive/main");
        assertThat(coverage.message()).contains("20261031-230000F").contains("000000010000000000000002")
                .contains("20260930-230000F").doesNotContain("20261130-230000F")
                .as("missed sets are reported for 35 days").doesNotContain("20260831-230000F");
        HealthCheck sums = report.checks().stream().filter(c -> c.name().equals("backup-checksums")).findFirst()
                .orElseThrow();
        assertThat(sums.status()).isEqualTo(HealthStatus.WARNING);
        assertThat(sums.message()).contains("20261031-230000F");
    }
}
