package io.pgvault.examples.torture;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The short torture run of issue 11 (the long one is {@code scripts/torture}). */
class CatalogTortureIT {
    @Test
    @DisplayName("4 worker JVMs, random SIGKILLs, clocks 3 h ahead and 1 h behind, a Drive tier going down and up: "
            + "no set lost, none falsely listed, pins held, no debris left after the final sweep")
    void shortRun(@TempDir Path work) throws Exception {
        long seed = Long.getLong("pgvault.torture.seed", System.nanoTime());
        CatalogTorture.Report report = CatalogTorture.run(work,
                Duration.ofSeconds(Long.getLong("pgvault.torture.seconds", 60)), 4, seed);
        System.out.println("torture seed " + seed + "\n" + report.render());
        TortureChecker.Findings f = report.findings();
        assertThat(f.journalCounts().getOrDefault("BACKUP_OK", 0)).as("backups committed").isGreaterThan(5);
        assertThat(report.kills()).isGreaterThan(3);
        assertThat(f.lost()).as("sets lost").isEmpty();
        assertThat(f.falselyListed()).as("sets falsely listed").isEmpty();
        assertThat(f.pinsLost()).as("pins lost").isEmpty();
        assertThat(f.neverOnDrive()).as("sets the Drive tier silently never got").isEmpty();
        assertThat(f.damaged()).isZero();
        assertThat(f.debrisAfter()).as("debris after the final sweep").allSatisfy((k, v) -> assertThat(v).isZero());
        assertThat(f.listedTiers()).as("both tiers received copies").allSatisfy((k, v) -> assertThat(v).isPositive());
        assertThat(f.journalCounts().getOrDefault("PRUNE_OK", 0)).as("prunes").isPositive();
        assertThat(report.canary()).as("the checker's canary ran").isNotNull();
        assertThat(report.canary().caught()).as("the checker reports a set deleted and an object deleted behind "
                + "its back").isTrue();
    }
}
