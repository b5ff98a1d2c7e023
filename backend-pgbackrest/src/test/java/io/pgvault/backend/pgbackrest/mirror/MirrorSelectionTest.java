package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.BackupType;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.tier.Tier;
import io.pgvault.api.tier.TierFilter;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestBackup;
import io.pgvault.backend.pgbackrest.PgBackRestConfig;
import io.pgvault.backend.pgbackrest.PgBackRestRepo;
import io.pgvault.backend.pgbackrest.PgCluster;
import io.pgvault.storage.local.LocalRepository;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which pgBackRest sets a mirror selects, on synthetic sets with a fixed time and zone. */
class MirrorSelectionTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static PgBackRestBackup set(String label, BackupType type, String at, String prior, String... refs) {
        Instant start = Instant.parse(at);
        return new PgBackRestBackup(label, type, 1, Optional.ofNullable(prior), List.of(refs), start,
                start.plusSeconds(60), Optional.of("000000010000000000000002"),
                Optional.of("000000010000000000000002"), Optional.empty(), Optional.empty(), 1, 1, 1, 1, false,
                Optional.of("15"), Optional.empty());
    }

    // October 2026 in Berlin ends at 2026-10-31T23:00Z (CET, UTC+1, after the change on the 25th)
    private static final List<PgBackRestBackup> SETS = List.of(
            set("20261001-010000F", BackupType.FULL, "2026-10-01T01:00:00Z", null),
            set("20261001-010000F_20261015-010000D", BackupType.DIFF, "2026-10-15T01:00:00Z", "20261001-010000F",
                    "20261001-010000F"),
            set("20261031-120000F", BackupType.FULL, "2026-10-31T12:00:00Z", null),
            set("20261031-120000F_20261031-223000I", BackupType.INCR, "2026-10-31T22:30:00Z", "20261031-120000F",
                    "20261031-120000F"),
            // 23:30Z on the 31st is already November 1st in Berlin
            set("20261031-233000F", BackupType.FULL, "2026-10-31T23:30:00Z", null),
            set("20261115-010000F", BackupType.FULL, "2026-11-15T01:00:00Z", null));

    @Test
    @DisplayName("fulls only, last of each month in Berlin: October's last full, not the one after midnight local "
            + "time; November is still open")
    void lastFullOfEachMonth() {
        TierFilter f = TierFilter.fullsOnly().then(TierFilter.lastOfMonth(BERLIN));
        assertThat(PgBackRestMirror.selected(SETS, "main", f, Instant.parse("2026-11-20T00:00:00Z")))
                .containsExactly("20261031-120000F");
        assertThat(PgBackRestMirror.selected(SETS, "main", f, Instant.parse("2026-12-01T00:00:00Z")))
                .containsExactly("20261031-120000F", "20261115-010000F");
    }

    @Test
    @DisplayName("in UTC the full at 23:30Z is October's last")
    void zoneMatters() {
        TierFilter f = TierFilter.fullsOnly().then(TierFilter.lastOfMonth(ZoneId.of("UTC")));
        assertThat(PgBackRestMirror.selected(SETS, "main", f, Instant.parse("2026-11-20T00:00:00Z")))
                .containsExactly("20261031-233000F");
    }

    @Test
    @DisplayName("a selected INCR brings the full it references")
    void incrBringsItsFull() {
        TierFilter f = TierFilter.lastOfMonth(BERLIN);
        assertThat(PgBackRestMirror.selected(SETS, "main", f, Instant.parse("2026-11-20T00:00:00Z")))
                .containsExactlyInAnyOrder("20261031-120000F", "20261031-120000F_20261031-223000I");
    }

    @Test
    @DisplayName("the builder reports every problem at once: bad stanza, no tier")
    void builderProblems() {
        assertThatThrownBy(() -> PgBackRestMirror.builder("bad stanza").prefix("/abs").build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("stanza 'bad stanza'")
                .hasMessageContaining("tier is required")
                .hasMessageContaining("prefix");
    }

    @Test
    @DisplayName("a tier that re-encodes copies is refused: pgBackRest must be able to read the mirror")
    void refusesReencodingTier(@TempDir Path dir) {
        Tier reencoding = Tier.builder("drive", LocalRepository.at(dir)).pipeline(PipelineOptions.defaults()).build();
        assertThatThrownBy(() -> PgBackRestMirror.builder("main").tier(reencoding).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("byte for byte");
    }

    @Test
    @DisplayName("a mirror without a source can materialize and report, but mirror() says what is missing")
    void mirrorNeedsASource(@TempDir Path dir) {
        PgBackRestMirror m = PgBackRestMirror.builder("main").tier(Tier.builder("drive", LocalRepository.at(dir))
                .build()).build();
        assertThat(m.holdings()).isEmpty();
        assertThatThrownBy(m::mirror).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("source(pgbackrest, repo)");
    }

    @Test
    @DisplayName("forgetAbsentSets refuses, before running anything, a repo elsewhere or one with pgBackRest's own "
            + "retention (its expire could remove materialized sets)")
    void forgetAbsentSetsChecksTheRepo(@TempDir Path dir) {
        MaterializedRepo repo = new MaterializedRepo(dir.resolve("materialized"), "main", List.of(), 0, 0, 0,
                java.time.Duration.ZERO);
        PgBackRest pgbr = PgBackRest.of(PgBackRestConfig.builder("main")
                .cluster(PgCluster.builder(dir.resolve("data")).build())
                .repo(PgBackRestRepo.posix(dir.resolve("elsewhere")).retentionFull(2).build())
                .configFile(dir.resolve("pgbackrest.conf")).build());
        assertThatThrownBy(() -> repo.forgetAbsentSets(pgbr, 1)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("must be the posix repo at " + dir.resolve("materialized"))
                .hasMessageContaining("retention-full/diff");
        assertThat(dir.resolve("pgbackrest.conf")).as("nothing ran").doesNotExist();
    }
}
