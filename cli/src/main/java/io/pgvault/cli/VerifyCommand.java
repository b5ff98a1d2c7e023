package io.pgvault.cli;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.VerifyResult;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestException;
import io.pgvault.backend.pgbackrest.PgBackRestRepo;
import io.pgvault.backend.pgbackrest.RepoVerifyResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code pgvault verify}: digests (and with --deep, a parse of each dump) of one set or all. */
@Command(mixinStandardHelpOptions = true, name = "verify", description = "Check every object's SHA-256; --deep also parses each dump. Exit 1 when any "
        + "set has a problem.", footerHeading = "%nExamples:%n", footer = {"  pgvault verify",
                "  pgvault verify --deep latest", "  pgvault verify --all --json"})
final class VerifyCommand implements Callable<Integer> {
    @ParentCommand
    PgVaultCli root;
    @Spec
    CommandSpec spec;
    @Option(names = "--deep", description = "also parse each dump (pg_restore --list, a full parse)")
    boolean deep;
    @Option(names = "--all", description = "every complete set")
    boolean all;
    @Parameters(paramLabel = "SET", arity = "0..1", description = "a set id, or latest (the default)")
    String set;
    @Option(names = "--physical", description = "pgBackRest's verify of every repo (the default when only pgBackRest "
            + "is configured); with a SET label, of that set in each repo holding it (only its files and WAL on "
            + "pgBackRest 2.55 and later, the whole repo before), and the files pgBackRest flagged for page checksum "
            + "errors")
    boolean physical;

    @Override
    public Integer call() {
        if (physical || root.session().physicalOnly()) {
            return physical();
        }
        List<BackupSet> sets = all ? root.session().vault().list() : List.of(ShowCommand.find(root, set));
        List<Map<String, Object>> results = new ArrayList<>();
        boolean failed = false;
        PrintWriter out = spec.commandLine().getOut();
        for (BackupSet s : sets) {
            VerifyResult r;
            try {
                r = root.session().vault().verify(s.id(), deep);
            } catch (io.pgvault.api.NotFoundException e) {
                if (!all) {
                    throw e;
                }
                // pruned by the service between the listing and its turn: nothing to verify, nothing damaged
                if (!root.json) {
                    out.printf("%s gone (pruned meanwhile)%n", s.id().value());
                }
                continue;
            }
            failed |= !r.problems().isEmpty();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("set", s.id().value());
            m.put("deep", deep);
            m.put("ok", r.problems().isEmpty());
            m.put("problems", r.problems());
            m.put("seconds", r.duration().toMillis() / 1000.0);
            results.add(m);
            if (!root.json) {
                out.printf("%s %s%s%n", s.id().value(), r.problems().isEmpty() ? "ok" : "DAMAGED",
                        deep ? " (deep)" : "");
                r.problems().forEach(p -> out.printf("  %s%n", p));
            }
        }
        if (root.json) {
            out.println(Output.json(results));
        }
        return failed ? Exit.FAILED : Exit.OK;
    }

    private int physical() {
        PgBackRest pgbr = root.session().pgBackRest();
        PrintWriter out = spec.commandLine().getOut();
        List<Map<String, Object>> results = new ArrayList<>();
        boolean failed = false;
        BackupId label = set == null ? null : new BackupId(set);
        for (PgBackRestRepo repo : pgbr.config().repos()) {
            // a set: pgBackRest 2.55+ verifies only its files and WAL (verify --set), older releases the whole repo;
            // a repo that does not hold it is skipped (verify checks that with the one info it runs)
            RepoVerifyResult r;
            try {
                r = label == null ? pgbr.verify(repo) : pgbr.verify(repo, label);
            } catch (PgBackRestException e) {
                if (label != null && e.kind() == PgBackRestException.Kind.SET_NOT_FOUND) {
                    continue;
                }
                throw e;
            }
            List<String> checksums = set == null ? List.of() : pgbr.checksumErrors(repo, set);
            failed |= !r.ok() || !checksums.isEmpty();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("repo", repo.index());
            m.put("set", r.set().orElse(null));
            m.put("ok", r.ok());
            m.put("problems", r.problems());
            m.put("checksumErrors", checksums);
            m.put("seconds", r.duration().toMillis() / 1000.0);
            results.add(m);
            if (!root.json) {
                out.printf("repo%d%s %s%n", repo.index(), r.set().map(l -> " set " + l).orElse(""),
                        r.ok() ? "ok" : "PROBLEMS");
                r.problems().forEach(p -> out.printf("  %s%n", p));
                checksums.forEach(f -> out.printf("  page checksum error in %s: %s%n", set, f));
            }
        }
        if (label != null && results.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no repo of stanza "
                    + pgbr.config().stanza() + " holds set " + set + " (pgvault list --physical shows the sets)");
        }
        if (root.json) {
            out.println(Output.json(results));
        }
        return failed ? Exit.FAILED : Exit.OK;
    }
}
