package io.pgvault.cli;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.RestoreResult;
import io.pgvault.backend.pgbackrest.PhysicalRestoreRequest;
import io.pgvault.backend.pgbackrest.PhysicalRestoreResult;
import io.pgvault.backend.pgbackrest.RestoreTarget;
import io.pgvault.backend.pgbackrest.TargetAction;
import io.pgvault.backend.pgbackrest.TargetTimeline;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PgConnection;
import io.pgvault.config.SecretRef;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code pgvault restore}: a logical set into a database, or a pgBackRest restore to a point in time. */
@Command(mixinStandardHelpOptions = true, name = "restore", description = "Restore a logical set into its database (or --target-database), or, with "
        + "--physical, a pgBackRest backup to a point in time.", footerHeading = "%nExamples:%n",
        footer = {"  pgvault restore --target-database app_restored",
                "  pgvault restore --set 20260301T020000Z-3fa9c1 --drop-existing --yes",
                "  pgvault restore --physical --target-time 2026-03-01T10:15:00Z --data-directory /srv/pitr "
                        + "--start-on-port 5499"})
final class RestoreCommand implements Callable<Integer> {
    @ParentCommand
    PgVaultCli root;
    @Spec
    CommandSpec spec;
    @Option(names = "--set", paramLabel = "SET", description = "which set (default: the newest complete one)")
    String set;
    @Option(names = "--target-database", paramLabel = "NAME", description = "restore under another name")
    String targetDatabase;
    @Option(names = "--drop-existing", description = "replace an existing database (all or nothing, proven in "
            + "staging first); asks unless --yes")
    boolean dropExisting;
    @Option(names = "--schema", paramLabel = "NAME", description = "only this schema (repeatable)")
    List<String> schemas = new ArrayList<>();
    @Option(names = "--table", paramLabel = "NAME", description = "only this table (repeatable)")
    List<String> tables = new ArrayList<>();
    @Option(names = "--jobs", description = "pg_restore --jobs (default: 1)")
    int jobs = 1;
    @Option(names = "--include-globals", description = "apply the set's roles and tablespaces")
    boolean includeGlobals;
    @Option(names = "--tier", paramLabel = "NAME", description = "restore the tier's copy (when the primary is lost "
            + "or damaged)")
    String tier;
    @Option(names = "--target-host", paramLabel = "HOST", description = "restore into another server (default: the "
            + "configured database's)")
    String targetHost;
    @Option(names = "--target-port", paramLabel = "PORT", description = "that server's port (default 5432)")
    int targetPort = 5432;
    @Option(names = "--target-user", paramLabel = "ROLE", description = "that server's role (default postgres)")
    String targetUser = "postgres";
    @Option(names = "--target-password", paramLabel = "REF", description = "that role's password, referenced: "
            + "env:NAME or file:/path")
    String targetPassword;
    @Option(names = "--allow-unauthenticated", description = "restore a set whose manifest is not proven authentic "
            + "(only when you know who wrote the repository: runbook unauthenticated-sets)")
    boolean allowUnauthenticated;

    @Option(names = "--physical", description = "a pgBackRest restore (the default when only pgBackRest is "
            + "configured)")
    boolean physical;
    @ArgGroup(exclusive = true)
    Target target;
    @Option(names = "--data-directory", paramLabel = "DIR", description = "physical: restore into this directory "
            + "(default: the stanza's own, PostgreSQL stopped)")
    Path dataDirectory;
    @Option(names = "--delta", description = "physical: reuse matching files of a non-empty directory")
    boolean delta;
    @Option(names = "--repo", paramLabel = "N", description = "physical: restore from this repo (default: pgBackRest "
            + "tries them in order)")
    Integer repo;
    @Option(names = "--repo-target-time", paramLabel = "TIME", description = "physical: read the --repo as it was "
            + "at this ISO-8601 instant, from a versioned bucket's earlier object versions (pgBackRest 2.54+)")
    Instant repoTargetTime;
    @Option(names = "--target-timeline", paramLabel = "TL", description = "physical: current, latest or a timeline "
            + "number (default: PostgreSQL's, latest)")
    String targetTimeline;
    @Option(names = "--target-action", paramLabel = "ACTION", description = "physical: ${COMPLETION-CANDIDATES} at "
            + "the target (default: promote with --start-on-port, else pgBackRest's pause)")
    TargetAction targetAction;
    @Option(names = "--start-on-port", paramLabel = "PORT", description = "physical: start the restored copy on "
            + "this port to inspect it (stop it with pg_ctl)")
    Integer startOnPort;

    /** At most one recovery target. */
    static final class Target {
        @Option(names = "--target-time", paramLabel = "INSTANT", description = "recover to this time (ISO-8601, "
                + "e.g. 2026-03-01T10:15:00Z)")
        Instant time;
        @Option(names = "--target-lsn", paramLabel = "LSN", description = "recover to this LSN")
        String lsn;
        @Option(names = "--target-xid", paramLabel = "XID", description = "recover to this transaction")
        String xid;
        @Option(names = "--target-name", paramLabel = "NAME", description = "recover to this restore point")
        String name;
        @Option(names = "--target-immediate", description = "stop as soon as the backup is consistent")
        boolean immediate;
    }

    @Override
    public Integer call() {
        return physical || root.session().physicalOnly() ? physical() : logical();
    }

    private int logical() {
        BackupSet s = ShowCommand.find(tier == null ? root.session().vault() : root.session().vault().onTier(tier),
                set);
        if (dropExisting) {
            root.confirm("restore " + s.id().value() + " over the existing database" + (targetDatabase == null ? "s "
                    + s.source() : " " + targetDatabase) + " (dropped once the restore is proven)");
        }
        RestoreRequest.Builder b = RestoreRequest.builder().backupId(s.id()).dropExisting(dropExisting).jobs(jobs)
                .includeGlobals(includeGlobals).allowUnauthenticated(allowUnauthenticated);
        if (targetDatabase != null) {
            b.targetDatabase(targetDatabase);
        }
        schemas.forEach(b::schema);
        tables.forEach(b::table);
        if (targetHost != null) {
            PgConnection.Builder c = PgConnection.builder().host(targetHost).port(targetPort).user(targetUser);
            if (targetPassword != null) {
                c.password(SecretRef.parse(targetPassword).orElseThrow(() -> new ConfigurationException(
                        "--target-password must be env:NAME or file:/path: a password on the command line would "
                                + "show in the process list")).resolve("--target-password"));
            }
            b.target(c.build());
        }
        RestoreResult r = tier == null ? root.session().vault().restore(b.build())
                : root.session().vault().restoreFrom(tier, b.build());
        PrintWriter out = spec.commandLine().getOut();
        if (root.json) {
            out.println(Output.json(r));
        } else {
            out.printf("restored %s into %s in %.1f s%n", r.set().id().value(), String.join(", ", r.databases()),
                    r.duration().toMillis() / 1000.0);
            r.warnings().forEach(w -> out.printf("  warning: %s%n", w));
        }
        return Exit.OK;
    }

    private int physical() {
        PhysicalRestoreRequest.Builder b = PhysicalRestoreRequest.builder().delta(delta);
        if (target != null) {
            RestoreTarget t = target.time != null ? RestoreTarget.time(target.time)
                    : target.lsn != null ? RestoreTarget.lsn(target.lsn)
                    : target.xid != null ? RestoreTarget.xid(target.xid)
                    : target.name != null ? RestoreTarget.name(target.name) : RestoreTarget.immediate();
            b.target(t);
        }
        if (set != null) {
            b.set(BackupId.of(set));
        }
        if (repo != null) {
            b.repo(repo);
        }
        if (dataDirectory != null) {
            b.dataDirectory(dataDirectory.toAbsolutePath());
        } else {
            root.confirm("restore over the stanza's own data directory");
        }
        if (startOnPort != null) {
            b.startOnPort(startOnPort);
            if (target != null && targetAction == null) {
                b.targetAction(TargetAction.PROMOTE);
            }
        }
        if (targetAction != null) {
            b.targetAction(targetAction);
        }
        if (targetTimeline != null) {
            b.targetTimeline(TargetTimeline.parse(targetTimeline));
        }
        if (repoTargetTime != null) {
            b.repoTargetTime(repoTargetTime);
        }
        PhysicalRestoreResult r = root.session().pgBackRest().restore(b.build());
        PrintWriter out = spec.commandLine().getOut();
        out.printf("restored into %s in %.1f s%n", r.dataDirectory(), r.restoreTime().toMillis() / 1000.0);
        r.copy().ifPresent(c -> out.printf("running on port %d (socket %s); stop it with: pg_ctl -D %s stop%n",
                c.port(), c.socketDirectory(), c.dataDirectory()));
        return Exit.OK;
    }
}
