package io.pgvault.cli;

import io.pgvault.api.ConfigurationException;
import io.pgvault.operations.drill.DrillReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code pgvault drill}: restores the newest set into a throwaway server and checks it. */
@Command(mixinStandardHelpOptions = true, name = "drill", description = "Restore the newest set into a throwaway PostgreSQL, check it (row counts, "
        + "amcheck) and record the proof. Exit 1 when the drill fails.", footerHeading = "%nExamples:%n",
        footer = {"  pgvault drill", "  pgvault drill --json"})
final class DrillCommand implements Callable<Integer> {
    @ParentCommand
    PgVaultCli root;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        DrillReport report = root.session().assembly().drill().orElseThrow(() -> new ConfigurationException(
                "nothing to drill: set pgvault.dump or pgvault.pgbackrest")).run();
        spec.commandLine().getOut().println(root.json ? report.toJson() : report.toText());
        return report.passed() ? Exit.OK : Exit.FAILED;
    }
}
