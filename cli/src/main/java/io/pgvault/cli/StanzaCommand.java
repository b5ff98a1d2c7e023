package io.pgvault.cli;

import io.pgvault.api.ConfigurationException;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestException;
import io.pgvault.backend.pgbackrest.PgBackRestRepo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

/** {@code pgvault stanza ...}: the pgBackRest stanza's lifecycle. */
@Command(mixinStandardHelpOptions = true, name = "stanza", description = "The pgBackRest stanza: write its configuration, create, check, upgrade.",
        footerHeading = "%nExamples:%n", footer = {"  pgvault stanza create      # writes pgbackrest.conf first",
                "  pgvault stanza archive-command   # what PostgreSQL's archive_command must be",
                "  pgvault stanza check"})
final class StanzaCommand {
    @ParentCommand
    PgVaultCli root;
    @Spec
    CommandSpec spec;

    private PgBackRest pgbr() {
        return root.session().pgBackRest();
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    @Command(mixinStandardHelpOptions = true, name = "write-config", description = "Write pgbackrest.conf (0600, no secrets) and its secrets file.")
    int writeConfig() {
        pgbr().writeConfig();
        out().println("wrote " + pgbr().config().configFile());
        return Exit.OK;
    }

    @Command(mixinStandardHelpOptions = true, name = "archive-command", description = "Print the archive_command and restore_command to install.")
    int archiveCommand() {
        out().println("archive_command = '" + pgbr().archiveCommand().replace("'", "''") + "'");
        out().println("restore_command = '" + pgbr().restoreCommand().replace("'", "''") + "'");
        return Exit.OK;
    }

    @Command(mixinStandardHelpOptions = true, name = "create", description = "Write pgbackrest.conf, then create the stanza in every repo.")
    int create() {
        pgbr().writeConfig();
        pgbr().stanzaCreate();
        out().println("stanza " + pgbr().config().stanza() + " created");
        return Exit.OK;
    }

    @Command(mixinStandardHelpOptions = true, name = "check", description = "Check the configuration and that WAL reaches every repo.")
    int check() {
        pgbr().check();
        out().println("stanza " + pgbr().config().stanza() + ": check passed");
        return Exit.OK;
    }

    @Command(mixinStandardHelpOptions = true, name = "recreate", description = "After the cluster was re-created "
            + "(a new system-id: STANZA_MISMATCH), delete the stanza from every repo WITH ALL ITS BACKUPS AND WAL, "
            + "then create it again and check. Refused unless the stanza really mismatches this cluster. Runbook "
            + "stanza-mismatch, 4D: if the old backups may still be needed, use a new stanza name (4C) instead.")
    int recreate() {
        PgBackRest pgbr = pgbr();
        pgbr.writeConfig();
        try {
            pgbr.check();
            throw new ConfigurationException("stanza " + pgbr.config().stanza() + " matches this cluster (check "
                    + "passed): nothing to recreate, and its backups are kept");
        } catch (PgBackRestException e) {
            if (e.kind() != PgBackRestException.Kind.STANZA_MISMATCH) {
                throw new ConfigurationException("stanza " + pgbr.config().stanza() + " fails its check, but not "
                        + "with a system-id mismatch (" + e.kind() + "): recreating it would not help and would "
                        + "delete its backups. " + e.getMessage());
            }
        }
        int sets = pgbr.info().size();
        root.confirm("stanza " + pgbr.config().stanza() + " belongs to another cluster: delete it from "
                + pgbr.config().repos().size() + " repo(s) with its " + sets + " backup set(s) and all their WAL");
        for (PgBackRestRepo repo : pgbr.config().repos()) {
            pgbr.stanzaDelete(repo, true);
            out().println("deleted stanza " + pgbr.config().stanza() + " from repo" + repo.index());
        }
        pgbr.stanzaCreate();
        pgbr.check();
        out().println("stanza " + pgbr.config().stanza() + " created again for this cluster; check passed. Take a "
                + "full backup now: pgvault backup --physical --type full (and --repo N for each further repo)");
        return Exit.OK;
    }

    @Command(mixinStandardHelpOptions = true, name = "upgrade", description = "Update the stanza after a PostgreSQL major upgrade (asks unless --yes).")
    int upgrade() {
        root.confirm("upgrade stanza " + pgbr().config().stanza());
        pgbr().writeConfig(); // a major upgrade changes the data directory or port: the file must say so first
        pgbr().stanzaUpgrade();
        out().println("stanza " + pgbr().config().stanza() + " upgraded");
        return Exit.OK;
    }
}
