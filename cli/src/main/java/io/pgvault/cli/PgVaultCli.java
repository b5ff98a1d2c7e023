package io.pgvault.cli;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PgVaultException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code pgvault}: the operator's command over the service's own configuration (the same {@code pgvault.*} properties
 * as the Spring Boot starter, from a YAML or properties file, with {@code PGVAULT_*} environment variables over it).
 *
 * <pre>
 * pgvault --config /etc/pgvault.yml list
 * pgvault backup
 * pgvault verify --deep
 * pgvault restore --set 20260301T020000Z-3fa9c1 --drop-existing
 * pgvault prune              # a dry run: what would go, and why
 * pgvault health --json
 * </pre>
 *
 * Exit codes: 0 done, 1 failed, 2 usage or configuration, 3 the backup is committed but an optional tier failed.
 *
 * @since 0.6.0
 */
@Command(name = "pgvault", mixinStandardHelpOptions = true, versionProvider = PgVaultCli.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = "Back up, verify, restore and prune PostgreSQL with pgvault, from the service's configuration.",
        subcommands = {ListCommand.class, ShowCommand.class, BackupCommand.class, VerifyCommand.class,
                RestoreCommand.class, PruneCommand.class, SyncCommand.class, PlacementCommand.class,
                DrillCommand.class, HealthCommand.class, StanzaCommand.class, MirrorCommand.class, KeysCommand.class,
                CommandLine.HelpCommand.class, picocli.AutoComplete.GenerateCompletion.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  done", "  1  failed (a backup, a damaged set, a failed drill or verify)",
                "  2  usage or configuration (nothing was done)",
                "  3  the backup is committed, an optional tier did not get its copy",
                "", "Shell completion: source <(pgvault generate-completion)",
                "", "Configuration: --config FILE, else $PGVAULT_CONFIG, else ./pgvault.yml. Secrets are referenced "
                        + "(env:NAME, file:/path), never given on the command line."})
public final class PgVaultCli {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "the configuration (YAML or properties)",
            scope = CommandLine.ScopeType.INHERIT)
    Path config;

    @Option(names = "--json", description = "machine-readable output", scope = CommandLine.ScopeType.INHERIT)
    boolean json;

    @Option(names = {"-y", "--yes"}, description = "do not ask before destructive work",
            scope = CommandLine.ScopeType.INHERIT)
    boolean yes;

    private Session session;
    private final Map<String, String> environment;

    PgVaultCli(Map<String, String> environment) {
        this.environment = environment;
    }

    synchronized Session session() {
        if (session == null) {
            session = new Session(Session.locate(config, environment), environment);
        }
        return session;
    }

    /**
     * Asks before destructive work, unless {@code --yes}. Without a terminal nobody can answer: refused.
     *
     * @param what what is about to happen
     * @throws ConfigurationException when not confirmed
     */
    void confirm(String what) {
        if (yes) {
            return;
        }
        java.io.Console console = System.console();
        if (console == null) {
            throw new ConfigurationException(what + ": refused without --yes (no terminal to ask)");
        }
        String answer = console.readLine("%s. Type yes to go on: ", what);
        if (answer == null || !answer.trim().equals("yes")) {
            throw new ConfigurationException(what + ": not confirmed");
        }
    }

    /**
     * Runs the command.
     *
     * @param args arguments
     */
    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err,
                true)));
    }

    /**
     * @param args        arguments
     * @param environment environment variables
     * @param out         standard output
     * @param err         standard error
     * @return the exit code
     */
    static int run(String[] args, Map<String, String> environment, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new PgVaultCli(environment));
        cli.setOut(out).setErr(err).setCaseInsensitiveEnumValuesAllowed(true)
                .setExitCodeExceptionMapper(PgVaultCli::exitCode)
                .setExecutionExceptionHandler((e, line, parsed) -> {
                    line.getErr().println("pgvault: " + message(e));
                    if (e instanceof ConfigurationException c && c.problems().size() > 1) {
                        c.problems().forEach(p -> line.getErr().println("  " + p));
                    }
                    return exitCode(e);
                });
        return cli.execute(args);
    }

    private static String message(Throwable e) {
        if (e instanceof ConfigurationException c && c.problems().size() > 1) {
            return "invalid configuration (" + c.problems().size() + " problems):";
        }
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        // the library's remedy names its Java call; an operator runs the command
        return m.contains("writeConfig()") ? m + " (from the command line: pgvault stanza write-config)" : m;
    }

    static int exitCode(Throwable e) {
        if (e instanceof ConfigurationException || e instanceof CommandLine.ParameterException) {
            return Exit.USAGE;
        }
        return e instanceof ExitException x ? x.code : Exit.FAILED;
    }

    /** A command's verdict that is not an error of the program: its message is printed, then the code. */
    static final class ExitException extends PgVaultException {
        private static final long serialVersionUID = 1L;
        final int code;

        ExitException(int code, String message) {
            super(io.pgvault.api.ErrorCode.INTEGRITY, message);
            this.code = code;
        }
    }

    /** Prints the version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = PgVaultCli.class.getPackage().getImplementationVersion();
            return new String[] {"pgvault " + (v == null ? "(development build)" : v)};
        }
    }
}
