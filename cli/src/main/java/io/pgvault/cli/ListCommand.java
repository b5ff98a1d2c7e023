package io.pgvault.cli;

import io.pgvault.api.BackupSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code pgvault list}: the complete sets, newest last. */
@Command(mixinStandardHelpOptions = true, name = "list", description = "List complete backup sets (logical, or pgBackRest's with --physical).",
        footerHeading = "%nExamples:%n", footer = {"  pgvault list", "  pgvault list --tier offsite --json",
                "  pgvault list --physical"})
final class ListCommand implements Callable<Integer> {
    @ParentCommand
    PgVaultCli root;
    @Spec
    CommandSpec spec;
    @Option(names = "--tier", paramLabel = "NAME", description = "list a tier's copies instead of the primary")
    String tier;
    @Option(names = "--physical", description = "pgBackRest's sets (the default when only pgBackRest is configured)")
    boolean physical;

    @Override
    public Integer call() {
        List<BackupSet> sets = physical || root.session().physicalOnly() ? root.session().pgBackRest().info()
                : tier == null ? root.session().vault().list() : root.session().vault().onTier(tier).list();
        if (root.json) {
            spec.commandLine().getOut().println(Output.json(sets.stream().map(Output::withAuthenticity).toList()));
        } else {
            Output.table(spec.commandLine().getOut(), Output.SET_HEADER, sets.stream().map(Output::row).toList());
        }
        return Exit.OK;
    }
}
