package io.pgvault.cli;

import io.pgvault.operations.health.HealthCheck;
import io.pgvault.operations.health.HealthReport;
import io.pgvault.operations.health.HealthStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code pgvault health}: backup age, failures, tiers, proofs; exit 1 when anything is CRITICAL. */
@Command(mixinStandardHelpOptions = true, name = "health", description = "Check backup age, failures, tiers and restore proofs (exit 1 when a check is "
        + "CRITICAL).", footerHeading = "%nExamples:%n", footer = {"  pgvault health", "  pgvault health --json"})
final class HealthCommand implements Callable<Integer> {
    @ParentCommand
    PgVaultCli root;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        HealthReport report = root.session().assembly().health().check();
        PrintWriter out = spec.commandLine().getOut();
        if (root.json) {
            out.println(report.toJson());
        } else {
            out.println("overall " + report.status());
            for (HealthCheck c : report.checks()) {
                out.printf("%-8s %-18s %s: %s%n", c.status(), c.name(), c.component(), c.message());
            }
        }
        return report.status() == HealthStatus.CRITICAL ? Exit.FAILED : Exit.OK;
    }
}
