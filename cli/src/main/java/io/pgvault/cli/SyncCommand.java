package io.pgvault.cli;

import io.pgvault.api.tier.SyncReport;
import io.pgvault.api.tier.TierReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code pgvault sync}: copies whatever the tiers lack. */
@Command(mixinStandardHelpOptions = true, name = "sync", description = "Copy to each tier the sets it should have and lacks (resumes; exit 3 when an "
        + "optional tier failed).", footerHeading = "%nExamples:%n", footer = {"  pgvault sync"})
final class SyncCommand implements Callable<Integer> {
    @ParentCommand
    PgVaultCli root;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SyncReport report = root.session().vault().sync();
        PrintWriter out = spec.commandLine().getOut();
        boolean requiredFailed = false;
        boolean optionalFailed = false;
        for (TierReport t : report.tiers()) {
            requiredFailed |= t.required() && !t.succeeded();
            optionalFailed |= !t.required() && !t.succeeded();
            if (!root.json) {
                out.println(t.describe());
            }
        }
        if (root.json) {
            out.println(Output.json(report.tiers().stream().map(t -> java.util.Map.of("tier", t.tier(), "ok",
                    t.succeeded(), "summary", t.describe())).toList()));
        }
        return requiredFailed ? Exit.FAILED : optionalFailed ? Exit.OPTIONAL_TIER_FAILED : Exit.OK;
    }
}
