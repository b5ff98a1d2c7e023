package io.pgvault.cli;

import io.pgvault.api.BackupId;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.PruneReport;
import io.pgvault.backend.pgbackrest.mirror.MaterializedRepo;
import io.pgvault.backend.pgbackrest.mirror.MirrorRun;
import io.pgvault.backend.pgbackrest.mirror.MirrorVerifyResult;
import io.pgvault.backend.pgbackrest.mirror.MirroredSet;
import io.pgvault.backend.pgbackrest.mirror.PgBackRestMirror;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code pgvault mirror ...}: the pgBackRest mirror (ADR 0012) to a repository pgBackRest cannot write. */
@Command(mixinStandardHelpOptions = true, name = "mirror", description = "The pgBackRest mirror of "
        + "pgvault.pgbackrest.mirror: copy, list, verify, prune, and materialize a local pgBackRest repository from "
        + "it for a restore.", footerHeading = "%nExamples:%n", footer = {"  pgvault mirror run",
                "  pgvault mirror list", "  pgvault mirror materialize --into /srv/restore-repo",
                "  pgvault mirror materialize --into /srv/restore-repo --set 20261201-010000F"})
final class MirrorCommand {
    @ParentCommand
    PgVaultCli root;
    @Spec
    CommandSpec spec;

    private PgBackRestMirror mirror() {
        return root.session().assembly().mirror().orElseThrow(() -> new ConfigurationException("this command needs "
                + "pgvault.pgbackrest.mirror"));
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Command(mixinStandardHelpOptions = true, name = "run", description = "Copy the chosen sets, their WAL and "
            + "pgBackRest's info files that the mirror lacks (resumes; only new files move), then apply its "
            + "retention.")
    int run() {
        PgBackRestMirror m = mirror();
        MirrorRun run = m.mirror();
        out().println(run.describe());
        run.warnings().forEach(w -> out().println("  warning: " + w));
        if (m.tier().retention().isPresent()) {
            out().println(m.prune(PruneMode.EXECUTE).render());
        }
        return run.succeeded() ? Exit.OK : Exit.FAILED;
    }

    @Command(mixinStandardHelpOptions = true, name = "list", description = "The sets the mirror holds.")
    int list() {
        List<MirroredSet> held = mirror().holdings();
        if (root.json) {
            out().println(Output.json(held.stream().map(s -> Map.of("set", s.label(), "type", s.type().name(),
                    "files", s.fileCount(), "bytes", s.bytes(), "walBytes", s.walBytes())).toList()));
        } else {
            List<List<String>> rows = new ArrayList<>();
            for (MirroredSet s : held) {
                rows.add(List.of(s.label(), s.type().name(), String.valueOf(s.fileCount()), Output.bytes(s.bytes()),
                        Output.bytes(s.walBytes())));
            }
            Output.table(out(), List.of("SET", "TYPE", "FILES", "STORED", "WAL"), rows);
        }
        return Exit.OK;
    }

    @Command(mixinStandardHelpOptions = true, name = "verify", description = "Read every mirrored file back and check "
            + "its digest (exit 1 when a set is damaged).")
    int verify() {
        MirrorVerifyResult r = mirror().verify();
        out().println(r.ok() ? "mirror ok: " + r.intact().size() + " set(s) intact"
                : "mirror DAMAGED: " + r.damaged().stream().map(BackupId::value).toList());
        return r.ok() ? Exit.OK : Exit.FAILED;
    }

    @Command(mixinStandardHelpOptions = true, name = "prune", description = "Apply the mirror's retention: a dry run "
            + "unless --execute.")
    int prune(@Option(names = "--execute", description = "delete what the plan removes") boolean execute) {
        if (execute) {
            root.confirm("delete what the mirror's retention removes");
        }
        PruneReport r = mirror().prune(execute ? PruneMode.EXECUTE : PruneMode.DRY_RUN);
        out().println(r.render());
        return Exit.OK;
    }

    @Command(mixinStandardHelpOptions = true, name = "materialize", description = "Download sets from the mirror into "
            + "a local pgBackRest repository (each file checked against its record), for a restore with a "
            + "configuration whose repo is that directory.")
    int materialize(@Option(names = "--into", required = true, paramLabel = "DIR", description = "the local "
            + "repository (created)") Path into,
            @Option(names = "--set", paramLabel = "LABEL", description = "a set (repeatable; default every set)")
            List<String> sets) {
        List<BackupId> ids = sets == null ? List.of() : sets.stream().map(BackupId::of).toList();
        MaterializedRepo repo = mirror().materialize(into.toAbsolutePath(), ids);
        out().printf("materialized %d set(s) into %s (%d files downloaded)%n", repo.sets().size(), repo.directory(),
                repo.filesDownloaded());
        out().println("restore with a configuration whose pgvault.pgbackrest.repos[0].path is " + repo.directory()
                + " (the source repo's cipher), then: pgvault stanza write-config && pgvault restore --physical ...");
        return Exit.OK;
    }
}
