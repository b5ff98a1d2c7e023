package io.pgvault.cli;

import io.pgvault.api.tier.PlacementReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code pgvault placement}: which set exists where (3-2-1 at a glance). */
@Command(mixinStandardHelpOptions = true, name = "placement", description = "Show which set exists in which repository and tier.",
        footerHeading = "%nExamples:%n", footer = {"  pgvault placement --json"})
final class PlacementCommand implements Callable<Integer> {
    @ParentCommand
    PgVaultCli root;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PlacementReport report = root.session().vault().placement();
        spec.commandLine().getOut().println(root.json ? report.toJson() : report.toString());
        return report.problems().isEmpty() ? Exit.OK : Exit.FAILED;
    }
}
