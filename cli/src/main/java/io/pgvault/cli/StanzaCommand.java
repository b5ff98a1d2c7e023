package io.pgvault.cli;

import io.pgvault.backend.pgbackrest.PgBackRest;
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

    @Command(mixinStandardHelpOptions = true, name = "upgrade", description = "Update the stanza after a PostgreSQL major upgrade (asks unless --yes).")
    int upgrade() {
        root.confirm("upgrade stanza " + pgbr().config().stanza());
        pgbr().writeConfig(); // a major upgrade changes the data directory or port: the file must say so first
        pgbr().stanzaUpgrade();
        out().println("stanza " + pgbr().config().stanza() + " upgraded");
        return Exit.OK;
    }
}
