package io.pgvault.cli;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.NotFoundException;
import io.pgvault.api.StoredObject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code pgvault show SET}: one set, its objects and attributes. */
@Command(mixinStandardHelpOptions = true, name = "show", description = "Show one set: its objects, sizes, digests and attributes.",
        footerHeading = "%nExamples:%n", footer = {"  pgvault show 20260301T020000Z-3fa9c1",
                "  pgvault show latest --json"})
final class ShowCommand implements Callable<Integer> {
    @ParentCommand
    PgVaultCli root;
    @Spec
    CommandSpec spec;
    @Parameters(paramLabel = "SET", description = "a set id, or latest")
    String set;

    @Override
    public Integer call() {
        BackupSet s = find(root, set);
        PrintWriter out = spec.commandLine().getOut();
        if (root.json) {
            out.println(Output.json(Output.withAuthenticity(s)));
            return Exit.OK;
        }
        out.printf("set           %s%ntype          %s%nstatus        %s%nsource        %s%nstarted       %s%n"
                + "finished      %s%nauthenticity  %s%nlast verified %s%nstored        %s%n", s.id().value(),
                s.type(), s.status(), s.source(), s.startedAt(), s.finishedAt(), s.authenticity(),
                s.lastVerified().map(Object::toString).orElse("never"), Output.bytes(s.storedBytes()));
        s.dependsOn().ifPresent(d -> out.printf("depends on    %s%n", d.value()));
        for (StoredObject o : s.objects()) {
            out.printf("  %s  %s  sha256 %s%n", o.key(), Output.bytes(o.storedBytes()), o.storedSha256());
        }
        s.attributes().forEach((k, v) -> out.printf("  %s = %s%n", k, v.length() > 120 ? v.substring(0, 117)
                + "..." : v));
        return Exit.OK;
    }

    static BackupSet find(PgVaultCli root, String set) {
        return find(root.session().vault(), set);
    }

    static BackupSet find(io.pgvault.api.PgVault vault, String set) {
        if (set == null || set.equals("latest")) {
            return vault.latest().orElseThrow(() -> new NotFoundException("no complete set in "
                    + vault.repository().id()));
        }
        return vault.find(BackupId.of(set)).orElseThrow(() -> new NotFoundException("no set " + set + " in "
                + vault.repository().id() + " (pgvault list shows them)"));
    }
}
