package io.pgvault.examples;

import io.pgvault.api.PgConnection;
import io.pgvault.api.Secret;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The quickstart's command line, parsed once. Passwords are refused as arguments (they would show in {@code ps}).
 *
 * @param backupDir    where backups go: {@code --backup-dir} or a positional argument, else {@code PGVAULT_BACKUP_DIR},
 *                     else {@code ./pgvault-backups}
 * @param connection   the database to back up; empty means a throwaway demo cluster
 * @param keepRestored whether the restored copy is kept on the server
 * @param encrypt      whether backups are encrypted with the passphrase in {@code PGVAULT_PASSPHRASE}
 * @param demoScale    size of the demo database ({@code DemoDatabase.realistic(scale)})
 * @param help         whether only the usage was asked for
 */
record QuickstartOptions(Path backupDir, Optional<PgConnection> connection, boolean keepRestored, boolean encrypt,
        int demoScale, boolean help) {

    private static final Set<String> WITH_VALUE = Set.of("--host", "-h", "--port", "-p", "--user", "-U",
            "--database", "--dbname", "-d", "--backup-dir", "--scale");

    static final String USAGE = """
            usage: quickstart [options] [BACKUP_DIR]

            With no connection settings, starts a throwaway PostgreSQL with a demo database; otherwise backs up
            the database named by the PG* environment variables (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD,
            PGPASSFILE, PGSSLMODE) or these options. Then verifies the backup, restores it into a new database
            and proves the restore (row counts, row contents, schema).

              --host HOST          server host (PGHOST)
              --port PORT          server port (PGPORT)
              --user USER          role (PGUSER)
              --database DB        database to back up (PGDATABASE)
              --backup-dir DIR     where backups go (PGVAULT_BACKUP_DIR; default ./pgvault-backups)
              --encrypt            encrypt with the age passphrase in PGVAULT_PASSPHRASE
              --keep-restored      keep the restored copy <db>_pgvault_check_<timestamp>
              --demo               use a throwaway demo cluster even if PG* variables are set
              --scale N            size of the demo database (default 1: 16,000 rows, 1 MiB dumped)
              --help               this text

            Passwords are never taken as arguments: set PGPASSWORD or use a passfile (PGPASSFILE, ~/.pgpass).
            """;

    /**
     * @param args the command line
     * @param env  the environment (for {@code PGVAULT_BACKUP_DIR}; connection variables are read by
     *             {@link PgConnection#fromEnvironment()})
     * @return the options
     * @throws IllegalArgumentException for a bad command line, saying what is wrong
     */
    static QuickstartOptions parse(String[] args, Map<String, String> env) {
        String host = null;
        String port = null;
        String user = null;
        String database = null;
        String dir = null;
        boolean keep = false;
        boolean encrypt = false;
        boolean demo = false;
        boolean help = false;
        int scale = 1;
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
            String name = eq < 0 ? arg : arg.substring(0, eq);
            if (WITH_VALUE.contains(name)) {
                String value;
                if (eq >= 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                switch (name) {
                    case "--host", "-h" -> host = value;
                    case "--port", "-p" -> port = value;
                    case "--user", "-U" -> user = value;
                    case "--database", "--dbname", "-d" -> database = value;
                    case "--backup-dir" -> dir = value;
                    default -> scale = number(value, name);
                }
                continue;
            }
            if (eq >= 0 && !name.startsWith("--pass")) {
                throw new IllegalArgumentException(name + " takes no value");
            }
            switch (name) {
                case "--keep-restored" -> keep = true;
                case "--encrypt" -> encrypt = true;
                case "--demo" -> demo = true;
                case "--help", "-?" -> help = true;
                case "--password", "--passwd", "-W", "--passphrase" -> throw new IllegalArgumentException(
                        name + " is not accepted: a password on the command line shows in the process list; set "
                                + "PGPASSWORD (or PGVAULT_PASSPHRASE) or use a passfile (PGPASSFILE, ~/.pgpass)");
                default -> {
                    if (arg.startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + arg);
                    }
                    positional.add(arg);
                }
            }
        }
        if (positional.size() > 1) {
            throw new IllegalArgumentException("at most one backup directory, got " + positional);
        }
        if (!positional.isEmpty()) {
            if (dir != null) {
                throw new IllegalArgumentException("give the backup directory once, not as --backup-dir and "
                        + positional.get(0));
            }
            dir = positional.get(0);
        }
        if (dir == null) {
            dir = env.getOrDefault("PGVAULT_BACKUP_DIR", "").isBlank() ? "pgvault-backups"
                    : env.get("PGVAULT_BACKUP_DIR");
        }
        if (scale < 1 || scale > 1000) {
            throw new IllegalArgumentException("--scale must be 1..1000, was " + scale);
        }
        boolean given = host != null || port != null || user != null || database != null;
        if (demo && given) {
            throw new IllegalArgumentException("--demo uses a throwaway cluster: it cannot be combined with "
                    + "--host/--port/--user/--database");
        }
        Optional<PgConnection> connection = Optional.empty();
        if (!demo) {
            Optional<PgConnection> fromEnv = PgConnection.fromEnvironment();
            if (given || fromEnv.isPresent()) {
                PgConnection.Builder b = fromEnv.map(PgConnection::toBuilder).orElseGet(() -> withEnvSecrets(env));
                if (host != null) {
                    b.host(host);
                }
                if (port != null) {
                    b.port(number(port, "--port"));
                }
                if (user != null) {
                    b.user(user);
                }
                if (database != null) {
                    b.database(database);
                }
                connection = Optional.of(b.build());
            }
        }
        return new QuickstartOptions(Path.of(dir).toAbsolutePath().normalize(), connection, keep, encrypt, scale,
                help);
    }

    /** Without PGHOST/PGPORT/PGDATABASE, fromEnvironment() reads nothing; the role and password still count. */
    private static PgConnection.Builder withEnvSecrets(Map<String, String> env) {
        PgConnection.Builder b = PgConnection.builder();
        Optional.ofNullable(env.get("PGUSER")).filter(s -> !s.isBlank()).ifPresent(b::user);
        Optional.ofNullable(env.get("PGPASSWORD")).filter(s -> !s.isEmpty()).map(Secret::of).ifPresent(b::password);
        if (env.get("PGPASSWORD") == null || env.get("PGPASSWORD").isEmpty()) {
            Optional.ofNullable(env.get("PGPASSFILE")).filter(s -> !s.isBlank()).map(Path::of).ifPresent(b::passfile);
        }
        Optional.ofNullable(env.get("PGSSLMODE")).filter(s -> !s.isBlank()).ifPresent(b::sslMode);
        return b;
    }

    private static int number(String text, String name) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, was '" + text + "'");
        }
    }
}
