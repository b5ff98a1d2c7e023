package io.pgvault.cli;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PgVault;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.PruneReport;
import io.pgvault.api.retention.RetentionDecision;
import io.pgvault.api.retention.RetentionPlan;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestRepo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code pgvault prune}: the retention plan with its reasons; deletes only with --execute. */
@Command(mixinStandardHelpOptions = true, name = "prune", description = "Apply pgvault.retention: a dry run that gives the reason for every keep and "
        + "delete, unless --execute (which asks unless --yes).", footerHeading = "%nExamples:%n",
        footer = {"  pgvault prune", "  pgvault prune --execute --yes", "  pgvault prune --tiers --json"})
final class PruneCommand implements Callable<Integer> {
    @ParentCommand
    PgVaultCli root;
    @Spec
    CommandSpec spec;
    @Option(names = "--execute", description = "delete what the plan removes (default: dry run)")
    boolean execute;
    @Option(names = "--tiers", description = "also apply each tier's own retention")
    boolean tiers;

    @Option(names = "--physical", description = "pgBackRest's repos (the default when only pgBackRest is configured)")
    boolean physical;

    @Override
    public Integer call() {
        if (physical || root.session().physicalOnly()) {
            return physical();
        }
        PgVault vault = root.session().vault();
        RetentionPolicy policy = root.session().assembly().retention().orElseThrow(() ->
                new ConfigurationException("pgvault.retention is not set: nothing says what to keep"));
        RetentionPlan plan = vault.planRetention(policy);
        PrintWriter out = spec.commandLine().getOut();
        if (!execute) {
            PruneReport dry = vault.prune(plan, PruneMode.DRY_RUN);
            Map<String, PruneReport> tierReports = tiers ? vault.pruneTiers(PruneMode.DRY_RUN) : Map.of();
            print(out, plan, dry, tierReports);
            return Exit.OK;
        }
        root.confirm("delete " + plan.deleted().size() + " set(s) from " + vault.repository().id()
                + (tiers ? " and apply each tier's retention" : ""));
        PruneReport done = vault.prune(plan, PruneMode.EXECUTE);
        Map<String, PruneReport> tierReports = tiers ? vault.pruneTiers(PruneMode.EXECUTE) : Map.of();
        print(out, plan, done, tierReports);
        return Exit.OK;
    }

    /** Each pgBackRest repo's plan; executed with expire --set. */
    private int physical() {
        PgBackRest pgbr = root.session().pgBackRest();
        RetentionPolicy policy = root.session().assembly().retention().orElseThrow(() ->
                new ConfigurationException("pgvault.retention is not set: nothing says what to keep"));
        PrintWriter out = spec.commandLine().getOut();
        if (execute) {
            root.confirm("expire what the plan removes from every repo of stanza " + pgbr.config().stanza());
        }
        for (PgBackRestRepo repo : pgbr.config().repos()) {
            // the report carries the plan it applied: planning again would list the repo a second time
            PruneReport report = pgbr.applyRetention(policy, repo, execute ? PruneMode.EXECUTE : PruneMode.DRY_RUN);
            out.printf("repo%d:%n", repo.index());
            print(out, report.plan(), report, Map.of());
        }
        return Exit.OK;
    }

    private void print(PrintWriter out, RetentionPlan plan, PruneReport report, Map<String, PruneReport> tiers) {
        if (root.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mode", report.mode().name());
            m.put("policy", plan.policy());
            m.put("decisions", plan.decisions().stream().map(d -> Map.of("set", d.id().value(), "action",
                    d.action().name(), "reasons", d.reasons())).toList());
            m.put("removed", report.removed().stream().map(s -> s.id().value()).toList());
            m.put("skipped", report.skipped());
            m.put("debris", report.debris());
            Map<String, Object> t = new LinkedHashMap<>();
            tiers.forEach((name, r) -> t.put(name, Map.of("removed", r.removed().stream().map(s -> s.id().value())
                    .toList(), "debris", r.debris())));
            m.put("tiers", t);
            out.println(Output.json(m));
            return;
        }
        for (RetentionDecision d : plan.decisions()) {
            out.printf("%-6s %s  %s%n", d.keep() ? "keep" : "delete", d.id().value(), String.join("; ",
                    d.reasons()));
        }
        out.println(report.render());
        tiers.forEach((name, r) -> out.printf("tier %s: %s%n", name, r.render()));
    }

}
