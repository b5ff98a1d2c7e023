package io.pgvault.examples;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVault;
import io.pgvault.api.retention.CalendarRetention;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.PruneReport;
import io.pgvault.api.retention.RetentionEnvironment;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.storage.local.LocalRepository;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Applies retention to the logical backups in a local repository, as the shell template's cron job does, but with
 * a plan that gives the reason for every keep and delete. <b>Dry run unless {@code --execute}</b> is given.
 *
 * <pre>
 * BACKUP_DIR=./pgvault-backups BACKUP_RETENTION_DAILY=7 BACKUP_RETENTION_WEEKLY=4 BACKUP_RETENTION_MONTHLY=12 \
 *   java -cp ... io.pgvault.examples.Prune            # shows the plan and what would be removed
 *   java -cp ... io.pgvault.examples.Prune --execute  # removes it
 * </pre>
 *
 * With no {@code BACKUP_RETENTION_*} variable set it uses 7 daily / 4 weekly / 12 monthly in UTC.
 *
 * @since 0.1.0
 */
public final class Prune {
    private Prune() {
    }

    /**
     * @param args {@code [--execute]}
     */
    public static void main(String[] args) {
        System.exit(run(List.of(args), System.getenv(), System.out));
    }

    /**
     * @param args {@code [--execute]}
     * @param env  environment ({@code BACKUP_DIR}, {@code BACKUP_RETENTION_*})
     * @param out  where the report goes
     * @return the exit code: 0 done, 2 bad usage or configuration
     */
    static int run(List<String> args, Map<String, String> env, PrintStream out) {
        if (!args.stream().allMatch("--execute"::equals)) {
            out.println("usage: Prune [--execute]   (dry run without --execute; settings from BACKUP_DIR and "
                    + RetentionEnvironment.PREFIX + "*)");
            return 2;
        }
        PruneMode mode = args.contains("--execute") ? PruneMode.EXECUTE : PruneMode.DRY_RUN;
        RetentionPolicy policy;
        try {
            policy = RetentionEnvironment.fromEnvironment(env).orElseGet(
                    () -> CalendarRetention.builder().daily(7).weekly(4).monthly(12).build());
        } catch (ConfigurationException e) {
            out.println(e.getMessage());
            return 2;
        }
        Path dir = Path.of(env.getOrDefault("BACKUP_DIR", "pgvault-backups"));
        PgVault vault = PgVault.builder()
                .strategy(new PgDumpStrategy(PgDumpConfig.builder()   // only lists pg_dump sets: never connects
                        .connection(PgConnection.builder().build()).build()))
                .repository(LocalRepository.at(dir))
                .build();
        out.println("retention: " + policy.describe() + " over " + vault.repository().id());
        PruneReport report = vault.prune(policy, mode);
        out.println(report.render());
        if (report.dryRun()) {
            out.println("dry run: nothing was removed; run with --execute to remove the sets marked delete");
        }
        return 0;
    }
}
