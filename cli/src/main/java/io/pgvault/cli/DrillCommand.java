package io.pgvault.cli;

import io.pgvault.api.BackupId;
import io.pgvault.api.ConfigurationException;
import io.pgvault.operations.drill.DrillReport;
import io.pgvault.operations.drill.SqlAssertion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code pgvault drill}: restores the newest set (or a chosen one) into a throwaway server and checks it. */
@Command(mixinStandardHelpOptions = true, name = "drill", description = "Restore the newest set (or --set) into a throwaway PostgreSQL, check it (row "
        + "counts, amcheck, --assert) and record the proof. Exit 1 when the drill fails.", footerHeading = "%nExamples:%n",
        footer = {"  pgvault drill", "  pgvault drill --json",
            "  pgvault drill --set 20261201T020000Z-3fa9c1 --assert 'orders exist=SELECT count(*) > 0 FROM shop.orders'"})
final class DrillCommand implements Callable<Integer> {
    @ParentCommand
    PgVaultCli root;
    @Spec
    CommandSpec spec;

    @Option(names = "--set", paramLabel = "ID", description = "drill this set instead of the newest")
    String set;
    @Option(names = "--assert", paramLabel = "NAME=SQL", description = "also require that SQL returns true in the "
            + "restored database (repeatable)")
    List<String> assertions = new ArrayList<>();

    @Override
    public Integer call() {
        List<SqlAssertion> checks = new ArrayList<>();
        for (String a : assertions) {
            int eq = a.indexOf('=');
            if (eq <= 0 || eq == a.length() - 1) {
                throw new ConfigurationException("--assert takes NAME=SQL, e.g. 'orders exist=SELECT count(*) > 0 FROM "
                        + "shop.orders', was: " + a);
            }
            checks.add(SqlAssertion.isTrue(a.substring(0, eq).strip(), a.substring(eq + 1).strip()));
        }
        BackupId id = set == null ? null : BackupId.of(set);
        DrillReport report = root.session().assembly().drill(b -> {
            if (id != null) {
                b.backupId(id);
            }
            checks.forEach(b::assertion);
        }).orElseThrow(() -> new ConfigurationException("nothing to drill: set pgvault.dump or pgvault.pgbackrest"))
                .run();
        spec.commandLine().getOut().println(root.json ? report.toJson() : report.toText());
        return report.passed() ? Exit.OK : Exit.FAILED;
    }
}
