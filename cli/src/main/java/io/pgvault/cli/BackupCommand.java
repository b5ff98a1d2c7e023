package io.pgvault.cli;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.api.tier.BackupResult;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.api.tier.TierReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code pgvault backup}: one set now, copied to the tiers. */
@Command(mixinStandardHelpOptions = true, name = "backup", description = "Take a backup now and copy it to the tiers (exit 3: an optional tier failed).",
        footerHeading = "%nExamples:%n", footer = {"  pgvault backup", "  pgvault backup --physical --type diff"})
final class BackupCommand implements Callable<Integer> {
    @ParentCommand
    PgVaultCli root;
    @Spec
    CommandSpec spec;
    @Option(names = "--physical", description = "a pgBackRest backup (the default when only pgBackRest is configured)")
    boolean physical;
    @Option(names = "--type", description = "pgBackRest: ${COMPLETION-CANDIDATES} (default: full)")
    BackupType type = BackupType.FULL;

    @Option(names = "--repo", paramLabel = "N", description = "pgBackRest: the repo (default: 1)")
    int repo = 1;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (physical || root.session().physicalOnly()) {
            PgBackRest pgbr = root.session().pgBackRest();
            BackupSet set = pgbr.backup(type, pgbr.config().repo(repo));
            print(out, set, Map.of());
            return Exit.OK;
        }
        root.session().progress().ifPresent(p -> p.expect(root.session().vault().latest()
                .map(s -> java.util.OptionalLong.of(s.storedBytes())).orElse(java.util.OptionalLong.empty())));
        BackupResult result = root.session().vault().backupAndCopy();
        Map<String, String> tiers = new LinkedHashMap<>();
        for (TierReport t : result.tiers()) {
            tiers.put(t.tier(), t.succeeded() ? "copied" : t.problem().orElse("failed"));
        }
        print(out, result.set(), tiers);
        if (!result.failedRequiredTiers().isEmpty()) {
            return Exit.FAILED;
        }
        return result.allTiersSucceeded() ? Exit.OK : Exit.OPTIONAL_TIER_FAILED;
    }

    private void print(PrintWriter out, BackupSet set, Map<String, String> tiers) {
        if (root.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("set", set);
            m.put("tiers", tiers);
            out.println(Output.json(m));
        } else {
            out.printf("backed up %s (%s, %s stored)%n", set.id().value(), set.type(), Output.bytes(set.storedBytes()));
            tiers.forEach((t, r) -> out.printf("  tier %s: %s%n", t, r));
        }
    }
}
