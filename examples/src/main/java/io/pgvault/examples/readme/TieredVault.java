package io.pgvault.examples.readme;

import io.pgvault.api.PgVault;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.api.tier.Tier;
import io.pgvault.api.tier.TierFilter;
import io.pgvault.spi.BackupStrategy;
import io.pgvault.spi.Repository;

import java.time.Duration;
import java.time.ZoneId;

/** The README's 3-2-1 snippet: the quickstart's vault with an S3 tier and a month-end Drive tier. */
public final class TieredVault {
    private TieredVault() {
    }

    /**
     * @param strategy the quickstart's pg_dump strategy
     * @param local    the primary repository
     * @param pipeline compression and encryption
     * @param s3       e.g. an {@code S3Repository}
     * @param drive    e.g. a {@code DriveRepository}
     * @param zone     where a month ends
     * @return the vault
     */
    public static PgVault build(BackupStrategy strategy, Repository local, PipelineOptions pipeline, Repository s3,
            Repository drive, ZoneId zone) {
        // tag::tiers[]
        PgVault vault = PgVault.builder()
                .strategy(strategy).repository(local).pipeline(pipeline)   // as above, plus 3-2-1 tiers:
                .tier(Tier.builder("s3", s3).retention(RetentionPolicy.keepWithin(Duration.ofDays(30))).build())
                .tier(Tier.builder("drive", drive).filter(TierFilter.lastOfMonth(zone)).build())
                .build();                                                  // a failed optional tier never undoes the backup
        // end::tiers[]
        return vault;
    }
}
