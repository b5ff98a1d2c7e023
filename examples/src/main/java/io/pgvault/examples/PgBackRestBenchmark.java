package io.pgvault.examples;

import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupType;
import io.pgvault.api.Secret;
import io.pgvault.backend.pgbackrest.PgBackRest;
import io.pgvault.backend.pgbackrest.PgBackRestConfig;
import io.pgvault.backend.pgbackrest.PgBackRestRepo;
import io.pgvault.backend.pgbackrest.PgCluster;
import io.pgvault.backend.pgbackrest.PhysicalRestoreRequest;
import io.pgvault.backend.pgbackrest.RestoreTarget;
import io.pgvault.operations.drill.DrillReport;
import io.pgvault.operations.drill.PhysicalDrill;
import io.pgvault.operations.drill.SqlAssertion;
import io.pgvault.storage.local.LocalRepository;
import io.pgvault.testkit.DemoDatabase;
import io.pgvault.testkit.Directories;
import io.pgvault.testkit.MatrixPair;
import io.pgvault.testkit.PostgresCluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * pgvault's pgBackRest full backup and restore against the plain {@code pgbackrest} CLI run with the same
 * configuration file, in the same run, alternating which goes first: a throwaway PostgreSQL 15 cluster (with
 * {@code --pg17}: PostgreSQL 17 and pgBackRest 2.55.1, the version matrix's second pair) of at least
 * {@code --gb} GiB of realistic data (DemoDatabase's random text, about 1.8:1 under zstd, plus the web-shop schema),
 * one encrypted posix repo, zst level 3, process-max 2. Prints per-run wall times and the ratios pgvault/CLI.
 * Run it with {@code scripts/benchmark-pgbackrest}; it needs root (the cluster and pgBackRest run as postgres).
 *
 * <p>Arguments: {@code --gb N} (default 1), {@code --rounds N} (default 3), {@code --work-dir DIR} (default /tmp),
 * {@code --drill}: afterwards a restore drill of the newest set ({@code PhysicalDrill}: throwaway server, promote,
 * amcheck, teardown) against a plain CLI restore of it — the measured RTO for deployments 1 and 2.
 */
public final class PgBackRestBenchmark {
    private static final String STANZA = "bench";

    private PgBackRestBenchmark() {
    }

    /**
     * @param args see the class comment
     * @throws Exception when a step fails
     */
    public static void main(String[] args) throws Exception {
        int gb = 1;
        int rounds = 3;
        boolean drill = false;
        Path workDir = Path.of("/tmp");
        MatrixPair pair = MatrixPair.PG15_PGBR245;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--gb" -> gb = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--work-dir" -> workDir = Path.of(args[++i]);
                case "--drill" -> drill = true;
                case "--pg17" -> pair = MatrixPair.PG17_PGBR2551;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (use --gb N, --rounds N, --work-dir DIR, --drill, --pg17)");
            }
        }
        Path base = Directories.createServerOwned(workDir, "pgvault-pgbr-bench-");
        String program = pair.executable(base).orElse("pgbackrest");
        try (PostgresCluster pg = pair.cluster().baseDirectory(base)
                .conf("wal_level = replica", "archive_mode = on", "archive_command = '/bin/false'",
                        "max_wal_size = '4GB'", "checkpoint_timeout = '30min'")
                .start()) {
            PgBackRestConfig config = PgBackRestConfig.builder(STANZA)
                    .cluster(PgCluster.builder(pg.dataDirectory()).port(pg.port())
                            .socketDirectory(pg.socketDirectory()).binDir(pg.binDir()).build())
                    .repo(PgBackRestRepo.posix(base.resolve("repo")).cipher(Secret.of("benchmark passphrase"))
                            .build())
                    .configFile(base.resolve("conf/pgbackrest.conf"))
                    .workDirectory(base.resolve("work"))
                    .launcher(pg.serverLauncher())
                    .compressLevel(3)
                    .processMax(2)
                    .executable(program)
                    .build();
            PgBackRest pgbr = PgBackRest.of(config);
            pgbr.writeConfig();
            pg.configure("archive_command = " + PostgresCluster.quoteLiteral(pgbr.archiveCommand()));
            pg.restart();
            pgbr.stanzaCreate();

            long started = System.nanoTime();
            pg.createDatabase("bench");
            DemoDatabase.realistic(10).applyTo(pg, "bench");
            // the text table carries most of the size; indexes, the shop schema and the catalogs bring the rest
            int textMb = Math.max(64, gb * 1024 - 100);
            DemoDatabase.randomText(textMb).applyTo(pg, "bench");
            pg.psql("bench", "VACUUM ANALYZE; CHECKPOINT;");
            long clusterBytes = Long.parseLong(pg.queryValue("postgres",
                    "SELECT sum(pg_database_size(datname)) FROM pg_database"));
            System.out.printf(Locale.ROOT, "cluster: %.2f GiB in %d databases, built in %.1f s (pgBackRest %s)%n",
                    clusterBytes / (1024.0 * 1024 * 1024), Integer.parseInt(pg.queryValue("postgres",
                            "SELECT count(*) FROM pg_database")), (System.nanoTime() - started) / 1e9,
                    pgbr.version());
            pgbr.check(); // archiving works before anything is timed

            List<String> cli = new ArrayList<>(List.of("runuser", "-u", "postgres", "--", program,
                    "--config=" + config.configFile(), "--config-include-path=" + config.includeDirectory(),
                    "--stanza=" + STANZA));
            List<Double> backupRatios = new ArrayList<>();
            List<Double> restoreRatios = new ArrayList<>();
            System.out.println("round  first    pgvault backup  CLI backup  ratio   pgvault restore  CLI restore  ratio");
            for (int round = 1; round <= rounds; round++) {
                boolean pgvaultFirst = round % 2 == 1;
                double vb;
                double cb;
                if (pgvaultFirst) {
                    vb = timed(() -> pgbr.backup(BackupType.FULL, pgbr.config().repo(1)));
                    cb = timed(() -> run(cli, "--repo=1", "--type=full", "backup"));
                } else {
                    cb = timed(() -> run(cli, "--repo=1", "--type=full", "backup"));
                    vb = timed(() -> pgbr.backup(BackupType.FULL, pgbr.config().repo(1)));
                }
                List<BackupSet> listed = pgbr.list(pgbr.config().repo(1));
                BackupSet latest = listed.get(listed.size() - 1);
                Path vDir = base.resolve("restore-pgvault-" + round);
                Path cDir = base.resolve("restore-cli-" + round);
                double vr;
                double cr;
                if (pgvaultFirst) {
                    vr = timed(() -> restore(pgbr, latest, vDir));
                    cr = timed(() -> run(cli, "--repo=1", "--set=" + latest.id().value(), "--pg1-path=" + cDir,
                            "--archive-mode=off", "restore"));
                } else {
                    cr = timed(() -> run(cli, "--repo=1", "--set=" + latest.id().value(), "--pg1-path=" + cDir,
                            "--archive-mode=off", "restore"));
                    vr = timed(() -> restore(pgbr, latest, vDir));
                }
                Directories.deleteRecursively(vDir);
                Directories.deleteRecursively(cDir);
                // keep the repo small: drop all but the newest set (not timed)
                List<BackupSet> sets = pgbr.list(pgbr.config().repo(1));
                for (BackupSet old : sets.subList(0, sets.size() - 1)) {
                    pgbr.expire(pgbr.config().repo(1), old.id());
                }
                backupRatios.add(vb / cb);
                restoreRatios.add(vr / cr);
                System.out.printf(Locale.ROOT, "%5d  %-7s  %14.2f s  %8.2f s  %5.3f  %15.2f s  %9.2f s  %5.3f%n",
                        round, pgvaultFirst ? "pgvault" : "CLI", vb, cb, vb / cb, vr, cr, vr / cr);
            }
            System.out.printf(Locale.ROOT, "median ratio pgvault/CLI: backup %.3f, restore %.3f (target <= 1.03)%n",
                    median(backupRatios), median(restoreRatios));
            if (drill) {
                drill(pg, pgbr, cli, base);
            }
        } finally {
            Directories.deleteRecursively(base);
        }
    }

    /**
     * A restore drill of the newest set (restore into a throwaway server, start, promote, row counts, amcheck,
     * teardown) against the CLI's plain restore of the same set in the same run: RTO and whole-drill ratios.
     */
    private static void drill(PostgresCluster pg, PgBackRest pgbr, List<String> cli, Path base) throws IOException {
        List<BackupSet> listed = pgbr.list(pgbr.config().repo(1));
        BackupSet latest = listed.get(listed.size() - 1);
        Path cDir = base.resolve("restore-cli-drill");
        double cr = timed(() -> run(cli, "--repo=1", "--set=" + latest.id().value(), "--pg1-path=" + cDir,
                "--archive-mode=off", "restore"));
        Directories.deleteRecursively(cDir);
        DrillReport report = drill(pgbr, base, null);
        double rto = report.rto().orElseThrow().toMillis() / 1000.0;
        double whole = report.duration().toMillis() / 1000.0;
        System.out.printf(Locale.ROOT, "drill of %s: CLI restore %.2f s, drill RTO %.2f s (%.2fx), whole drill %.2f s "
                + "(%.2fx; amcheck and row counts included)%n", latest.id().value(), cr, rto, rto / cr, whole,
                whole / cr);

        // the monthly PITR drill of deployment 2: writes after the set (a quarter of the text rewritten), a noted
        // time, the WAL archived; the drill restores the set and replays that WAL up to the noted time
        pg.psql("postgres", "SELECT pg_sleep_until(to_timestamp(" + (latest.finishedAt().getEpochSecond() + 1)
                + ") + interval '50 milliseconds')"); // pgBackRest picks sets that stopped before the target
        String startLsn = pg.queryValue("postgres", "SELECT pg_current_wal_lsn()");
        pg.psql("bench", "UPDATE " + DemoDatabase.RANDOM_TEXT_TABLE + " SET body = reverse(body) WHERE id % 4 = 0");
        Instant noted = Instant.parse(pg.queryValue("postgres",
                "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
        long walBytes = Long.parseLong(pg.queryValue("postgres",
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '" + startLsn + "')::bigint"));
        pg.psql("bench", "INSERT INTO " + DemoDatabase.RANDOM_TEXT_TABLE + " (id, body) VALUES (-1, 'after')");
        pgbr.check(); // switches WAL and waits until it is archived
        DrillReport pitr = drill(pgbr, base, RestoreTarget.time(noted));
        double pitrRto = pitr.rto().orElseThrow().toMillis() / 1000.0;
        System.out.printf(Locale.ROOT, "PITR drill to %s: %.0f MiB of WAL after the set, drill RTO %.2f s (%.2fx the "
                + "CLI restore without replay; %.2fx the drill without replay), whole drill %.2f s%n", noted,
                walBytes / (1024.0 * 1024), pitrRto, pitrRto / cr, pitrRto / rto,
                pitr.duration().toMillis() / 1000.0);
    }

    private static DrillReport drill(PgBackRest pgbr, Path base, RestoreTarget target) throws IOException {
        Path work = Files.createDirectories(base.resolve("drill-work"));
        PhysicalDrill.Builder builder = PhysicalDrill.builder().pgBackRest(pgbr)
                .records(LocalRepository.at(base.resolve("drill-records"))).workDirectory(work);
        if (target != null) {
            builder.pitrTarget(target).assertion(SqlAssertion.isTrue("nothing after the target",
                    "SELECT count(*) = 0 FROM " + DemoDatabase.RANDOM_TEXT_TABLE + " WHERE id = -1").in("bench"));
        }
        DrillReport report = builder.build().run();
        if (!report.passed()) {
            throw new IllegalStateException("the drill failed:\n" + report.toText());
        }
        return report;
    }

    private static void restore(PgBackRest pgbr, BackupSet set, Path dir) {
        pgbr.restore(PhysicalRestoreRequest.builder().repo(1).set(set.id()).dataDirectory(dir).archiveModeOff(true)
                .build());
    }

    private static double timed(Runnable step) {
        long t = System.nanoTime();
        step.run();
        return (System.nanoTime() - t) / 1e9;
    }

    private static void run(List<String> base, String... more) {
        List<String> command = new ArrayList<>(base);
        command.addAll(List.of(more));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed with " + p.exitValue() + ": "
                        + out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
