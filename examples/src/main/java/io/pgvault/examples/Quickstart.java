package io.pgvault.examples;

import io.pgvault.api.BackupSet;
import io.pgvault.api.Compression;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.Encryption;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVault;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.RestoreRequest;
import io.pgvault.api.Secret;
import io.pgvault.api.VerifyResult;
import io.pgvault.backend.pgdump.DumpFormat;
import io.pgvault.backend.pgdump.PgDumpConfig;
import io.pgvault.backend.pgdump.PgDumpStrategy;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.PostgresCluster;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The README's first command: back up a PostgreSQL database with pgvault, verify the backup, restore it into a new
 * database and prove the restore is identical to the source.
 * <ul>
 *     <li>With nothing configured it starts a throwaway PostgreSQL, fills a demo database, and removes the cluster at
 *     the end.</li>
 *     <li>With connection settings (the libpq {@code PG*} environment variables, or {@code --host --port --user
 *     --database}) it backs up <em>that</em> database, restores it into {@code <db>_pgvault_check_<timestamp>} on the
 *     same server, and drops that copy afterwards unless {@code --keep-restored}.</li>
 * </ul>
 * Backups go to {@code ./pgvault-backups} (or {@code PGVAULT_BACKUP_DIR}, or the directory given as argument) in
 * pg_dump's custom format, compressed with zstd; {@code --encrypt} adds age encryption with the passphrase in
 * {@code PGVAULT_PASSPHRASE}. Exit code 0 means PASS, 1 FAIL, 2 a usage error.
 */
public final class Quickstart {
    static final String DEMO_DATABASE = "pgvault_demo";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss")
            .withZone(ZoneOffset.UTC);
    private static final String CHECK_SUFFIX = "_pgvault_check_";
    private static final int MAX_NAME_BYTES = 63;

    private Quickstart() {
    }

    /** @param args see {@code --help} */
    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /**
     * @param args the command line
     * @param out  where the report goes
     * @return the exit code: 0 PASS, 1 FAIL, 2 usage error
     */
    public static int run(String[] args, PrintStream out) {
        return run(args, System.getenv(), out);
    }

    /**
     * @param env {@code PGVAULT_BACKUP_DIR}, {@code PGVAULT_PASSPHRASE} (and {@code PGUSER}/{@code PGPASSWORD} when
     *            the connection is given as arguments); other libpq variables are read from the process
     *            environment by {@link PgConnection#fromEnvironment()}
     */
    static int run(String[] args, Map<String, String> env, PrintStream out) {
        QuickstartOptions options;
        Encryption encryption;
        try {
            options = QuickstartOptions.parse(args, env);
            encryption = options.encrypt() ? Encryption.passphrase(passphrase(env)) : Encryption.none();
        } catch (IllegalArgumentException | ConfigurationException e) {
            out.println("quickstart: " + e.getMessage());
            out.println();
            out.print(QuickstartOptions.USAGE);
            return 2;
        }
        if (options.help()) {
            out.print(QuickstartOptions.USAGE);
            return 0;
        }
        try {
            if (options.connection().isPresent()) {
                PgConnection c = options.connection().get();
                return check(c, "PostgreSQL at " + c.host() + ":" + c.port(), options, encryption, out);
            }
            return demo(options, encryption, out);
        } catch (PgVaultException e) {
            out.println();
            out.println("RESULT: FAIL (" + e.getMessage() + ")");
            return 1;
        }
    }

    private static Secret passphrase(Map<String, String> env) {
        String value = env.get("PGVAULT_PASSPHRASE");
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("--encrypt reads the passphrase from PGVAULT_PASSPHRASE, which is "
                    + "not set");
        }
        return Secret.of(value);
    }

    private static int demo(QuickstartOptions options, Encryption encryption, PrintStream out) {
        out.println("starting a throwaway PostgreSQL and a demo database ...");
        try (PostgresCluster pg = PostgresCluster.builder().start()) { // closing stops it and deletes its files
            PgConnection source = pg.createDatabase(DEMO_DATABASE);
            DemoDatabase demo = DemoDatabase.realistic(options.demoScale());
            demo.applyTo(pg, DEMO_DATABASE);
            return check(source, "throwaway PostgreSQL " + pg.version() + " at " + pg.host() + ":" + pg.port()
                    + ", demo " + demo.description(), options, encryption, out);
        }
    }

    private static int check(PgConnection source, String where, QuickstartOptions options, Encryption encryption,
            PrintStream out) {
        PgVault vault = PgVault.builder()
                .strategy(new PgDumpStrategy(PgDumpConfig.builder().connection(source).format(DumpFormat.CUSTOM)
                        .build()))
                .repository(LocalRepository.at(options.backupDir()))
                // an unencrypted quickstart signs nothing: its restore trusts the directory (ADR 0013)
                .acceptUnauthenticated(encryption instanceof Encryption.None)
                .pipeline(PipelineOptions.defaults().withCompression(Compression.zstd()).withEncryption(encryption))
                .build();
        out.printf("source      database \"%s\" on %s%n", source.database(), where);
        out.printf("repository  %s%n", options.backupDir());

        Timed<BackupSet> backup = timed(vault::backup);
        BackupSet set = backup.value();
        out.printf("backup      %s: custom format, zstd level 3, %s, %s stored, in %s%n", set.id().value(),
                encryption instanceof Encryption.None ? "not encrypted" : "encrypted (" + encryption.scheme() + ")",
                Units.bytes(set.storedBytes()), Units.seconds(backup.duration()));
        listSets(vault.list(), out);

        Timed<VerifyResult> verify = timed(() -> vault.verify(set.id(), true));
        QuickstartReport report = new QuickstartReport(set, backup.duration(), verify.value(), verify.duration());
        if (!verify.value().ok()) {
            out.printf("verify      FAILED in %s:%n", Units.seconds(verify.duration()));
            verify.value().problems().forEach(p -> out.println("              " + p));
            return report.print(out);
        }
        out.printf("verify      deep (checksums, decrypt, decompress, pg_restore parse): ok in %s%n",
                Units.seconds(verify.duration()));
        return restoreAndProve(vault, set, source, options, report, out).print(out);
    }

    private static QuickstartReport restoreAndProve(PgVault vault, BackupSet set, PgConnection source,
            QuickstartOptions options, QuickstartReport report, PrintStream out) {
        String target = checkDatabaseName(source.database(), Instant.now());
        Timed<?> restore = timed(() -> vault.restore(RestoreRequest.builder().backupId(set.id())
                .targetDatabase(target).build()));
        out.printf("restore     into \"%s\" in %s%n", target, Units.seconds(restore.duration()));
        PgTools tools = new PgTools(source, ProcessRunner.local());
        Timed<RestoreProof.Result> proof;
        try {
            proof = timed(() -> RestoreProof.compare(tools, tools.on(target)));
        } finally {
            if (options.keepRestored()) {
                out.printf("kept        \"%s\" (drop it with: DROP DATABASE %s;)%n", target,
                        PgTools.quoteIdentifier(target));
            } else {
                tools.execute("DROP DATABASE IF EXISTS " + PgTools.quoteIdentifier(target) + " WITH (FORCE);");
                out.printf("dropped     \"%s\" (keep it with --keep-restored)%n", target);
            }
        }
        RestoreProof.Result r = proof.value();
        out.printf("proof       %d tables, %s rows, %d sequences, %s large objects, schema of %s lines: %s in %s%n",
                r.rowCounts().size(), Units.count(r.totalRows()), r.sequences(), Units.count(r.largeObjects()),
                Units.count(r.schemaLines()), r.passed() ? "identical" : "DIFFERENT", Units.seconds(proof.duration()));
        r.differences().forEach(d -> out.println("              " + d));
        if (!r.passed() && options.connection().isPresent()) {
            out.println("              (a database written to during the check differs from its backup, rightly;"
                    + " run the check on a quiet database or a replica)");
        }
        return report.withRestore(restore.duration(), r, proof.duration());
    }

    private static void listSets(List<BackupSet> sets, PrintStream out) {
        out.printf("sets        %d in the repository%s%n", sets.size(), sets.size() > 5 ? ", newest 5:" : ":");
        for (BackupSet s : sets.subList(Math.max(0, sets.size() - 5), sets.size())) {
            out.printf("              %s  %-20s %10s  %s%n", s.id().value(), s.source(), Units.bytes(s.storedBytes()),
                    s.lastVerified().map(t -> "verified " + t).orElse("not verified yet"));
        }
    }

    /**
     * @return {@code <db>_pgvault_check_<yyyyMMdd_HHmmss>}, the database part shortened so that the whole stays
     *         within PostgreSQL's 63 bytes
     */
    static String checkDatabaseName(String database, Instant now) {
        String suffix = CHECK_SUFFIX + STAMP.format(now);
        int budget = MAX_NAME_BYTES - suffix.length();
        String head = database;
        while (head.getBytes(StandardCharsets.UTF_8).length > budget) {
            head = head.substring(0, head.offsetByCodePoints(head.length(), -1));
        }
        return head + suffix;
    }

    private static <T> Timed<T> timed(Supplier<T> work) {
        long start = System.nanoTime();
        T value = work.get();
        return new Timed<>(value, Duration.ofNanos(System.nanoTime() - start));
    }

    private record Timed<T>(T value, Duration duration) {
    }
}
