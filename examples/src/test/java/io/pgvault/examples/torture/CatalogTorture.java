package io.pgvault.examples.torture;

import io.pgvault.api.AgeKeys;
import io.pgvault.api.Secret;
import io.pgvault.testkit.Directories;
import io.pgvault.testkit.gdrive.DriveEndpoint;
import io.pgvault.testkit.gdrive.DriveFault;
import io.pgvault.testkit.gdrive.DriveV3Fake;
import io.pgvault.testkit.s3.S3ProxyServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The torture run of issue 11: several worker JVMs ({@link TortureWorker}) run random interleavings of backup, prune
 * (tight retention, a 3 s debris grace, 10 s leases), tier sync, tier prune, deep verify, drill records and pins
 * against one local primary, an S3 tier (S3Proxy) and a Drive tier (the testkit's fake), while this process kills
 * workers with SIGKILL at random and starts new ones, takes the Drive tier down and brings it back; one worker's clock
 * runs three hours ahead, one an hour behind. Then {@link TortureChecker} lists every repository afresh and checks.
 *
 * <p>Run on purpose: {@code scripts/torture [seconds] [workers] [seed]} (figures in {@code docs/reliability.md});
 * {@code CatalogTortureIT} runs a short version in the suite.
 */
public final class CatalogTorture {
    private static final String CLIENT_ID = "pgvault-torture.apps.googleusercontent.com";

    /** What a run did and found. */
    record Report(Duration length, int workers, long seed, int started, int kills, int driveOutages,
            List<Long> clockOffsetsSeconds, TortureChecker.Findings findings, Canary canary) {
        String render() {
            StringBuilder b = new StringBuilder();
            Map<String, Integer> c = findings.journalCounts();
            b.append("| figure | value |\n|---|---|\n");
            row(b, "run length", length.toSeconds() + " s");
            row(b, "workers at once / started in all", workers + " / " + started);
            row(b, "SIGKILLs", String.valueOf(kills));
            row(b, "Drive tier outages", String.valueOf(driveOutages));
            row(b, "worker clock offsets (s)", clockOffsetsSeconds.toString());
            row(b, "backups committed / failed", c.getOrDefault("BACKUP_OK", 0) + " / "
                    + c.getOrDefault("BACKUP_FAIL", 0));
            row(b, "prunes (primary) / tier prunes", c.getOrDefault("PRUNE_OK", 0) + " / "
                    + c.getOrDefault("TIER_PRUNE", 0));
            row(b, "syncs / deep verifies / drill records", c.getOrDefault("SYNC", 0) + " / "
                    + c.getOrDefault("VERIFY", 0) + " / " + c.getOrDefault("RECORD", 0));
            row(b, "restores ok / of a set pruned before its claim / failed", c.getOrDefault("RESTORE_OK", 0) + " / "
                    + c.getOrDefault("RESTORE_GONE", 0) + " / " + c.getOrDefault("RESTORE_FAIL", 0));
            row(b, "pins held / pins refused", c.getOrDefault("PIN_OK", 0) + " / " + c.getOrDefault("PIN_FAIL", 0));
            row(b, "other failed operations", String.valueOf(c.getOrDefault("FAIL", 0)));
            row(b, "sets listed at the end: primaries (local, S3) / tiers", findings.listedPrimary() + " / "
                    + findings.listedTiers());
            row(b, "sets lost", String.valueOf(findings.lost().size()));
            row(b, "sets falsely listed", String.valueOf(findings.falselyListed().size()));
            row(b, "pins lost", String.valueOf(findings.pinsLost().size()));
            row(b, "sets of deployment A never on the Drive tier, not pending, not reported lost",
                    String.valueOf(findings.neverOnDrive().size()));
            row(b, "sets reported lost to the Drive tier (pruned after maxCopyWait, with a notice)",
                    String.valueOf(findings.reportedLostToDrive()));
            row(b, "damaged manifests", String.valueOf(findings.damaged()));
            row(b, "debris before / after the final sweep", findings.debrisBefore() + " / "
                    + findings.debrisAfter());
            row(b, "canary (a manifest and an object deleted behind the checker's back) caught",
                    canary == null ? "not run (fewer than 2 sets)" : String.valueOf(canary.caught()));
            b.append("\nFailures by kind (expected: the worker 3 h ahead cannot commit; kills and the Drive outage "
                    + "fail operations in flight):\n\n");
            findings.failureKinds().forEach((k, n) -> b.append("- ").append(n).append(" × ").append(k).append('\n'));
            if (!findings.clean()) {
                b.append("\nlost: ").append(findings.lost()).append("\nfalsely listed: ")
                        .append(findings.falselyListed()).append("\npins lost: ").append(findings.pinsLost())
                        .append("\nnever on Drive: ").append(findings.neverOnDrive()).append('\n');
            }
            return b.toString();
        }

        private static void row(StringBuilder b, String k, String v) {
            b.append("| ").append(k).append(" | ").append(v).append(" |\n");
        }
    }

    /**
     * Proof that the checker can fail: after the real check, one listed set's manifest and another listed set's
     * object are deleted behind everyone's back, and the checker runs again.
     *
     * @param deletedManifest the set whose manifest was deleted (must then be reported lost)
     * @param deletedObject   the set one of whose objects was deleted (must then be reported falsely listed)
     * @param findings        what the second check found
     */
    record Canary(String deletedManifest, String deletedObject, TortureChecker.Findings findings) {
        boolean caught() {
            return findings.lost().contains(deletedManifest)
                    && findings.falselyListed().stream().anyMatch(f -> f.startsWith("primary:" + deletedObject));
        }
    }

    private CatalogTorture() {
    }

    /**
     * @param args seconds (default 1200), workers (default 4), seed (default: time)
     * @throws Exception when the run cannot be set up
     */
    public static void main(String[] args) throws Exception {
        Duration length = Duration.ofSeconds(args.length > 0 ? Long.parseLong(args[0]) : 1200);
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : System.currentTimeMillis();
        Path work = Files.createTempDirectory("pgvault-torture-");
        try {
            Report report = run(work, length, workers, seed);
            System.out.println(report.render());
            System.exit(report.findings().clean() && report.canary() != null && report.canary().caught() ? 0 : 1);
        } finally {
            Directories.deleteRecursively(work);
        }
    }

    static Report run(Path work, Duration length, int workers, long seed) throws Exception {
        Random random = new Random(seed);
        Secret driveSecret = Secret.of("GOCSPX-torture-" + UUID.randomUUID());
        Secret refresh = Secret.of("1//torture-" + UUID.randomUUID());
        try (S3ProxyServer s3 = S3ProxyServer.start(); DriveV3Fake drive = DriveV3Fake.start()) {
            drive.registerOAuthClient(CLIENT_ID, driveSecret.reveal(), refresh.reveal());
            TortureSetup setup = new TortureSetup(Files.createDirectories(work.resolve("primary")), s3.endpoint(),
                    S3ProxyServer.uniqueBucket("torture"), s3.accessKey(), URI.create(drive.rootUrl()),
                    drive.tokenUri(), "torture/" + UUID.randomUUID(), CLIENT_ID,
                    S3ProxyServer.uniqueBucket("torture-primary"), Files.createDirectories(work.resolve("tier-b")));
            Map<String, String> env = new HashMap<>();
            env.put(TortureSetup.S3_SECRET, s3.secretKey().reveal());
            env.put(TortureSetup.DRIVE_SECRET, driveSecret.reveal());
            env.put(TortureSetup.DRIVE_REFRESH, refresh.reveal());
            env.put(TortureSetup.TIER_IDENTITY, AgeKeys.generateIdentity().reveal());
            try (TortureSetup.Opened opened = setup.open(Clock.systemUTC(), env, 5)) {
                opened.vault().list(); // creates the buckets and the Drive folder once, before the workers race
                opened.vaultB().list();
                opened.drive().list("");
            }
            long started = System.nanoTime();
            long deadline = System.currentTimeMillis() + length.toMillis();
            List<Long> offsets = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                offsets.add(i == 0 ? 3 * 3600L : i == 1 ? -3600L : 0L);
            }
            List<Path> journals = new ArrayList<>();
            Process[] running = new Process[workers];
            int count = 0;
            for (int i = 0; i < workers; i++) {
                running[i] = spawn(work, setup, env, "w" + count, offsets.get(i), random.nextLong(), deadline,
                        journals);
                count++;
            }
            int kills = 0;
            int outages = 0;
            boolean down = false;
            long nextToggle = System.currentTimeMillis() + 8_000 + random.nextInt(8_000);
            while (System.currentTimeMillis() < deadline - 3_000) {
                Thread.sleep(2_000 + random.nextInt(5_000));
                if (System.currentTimeMillis() >= deadline - 3_000) {
                    break;
                }
                int victim = random.nextInt(workers);
                running[victim].destroyForcibly();
                running[victim].waitFor(30, TimeUnit.SECONDS);
                kills++;
                running[victim] = spawn(work, setup, env, "w" + count, offsets.get(victim), random.nextLong(),
                        deadline, journals);
                count++;
                if (System.currentTimeMillis() >= nextToggle) {
                    if (down) {
                        drive.clearFaults();
                    } else {
                        for (DriveEndpoint e : DriveEndpoint.values()) {
                            if (e != DriveEndpoint.TOKEN) {
                                drive.failNext(e, 1_000_000, DriveFault.serverError(503));
                            }
                        }
                        outages++;
                    }
                    down = !down;
                    nextToggle = System.currentTimeMillis() + 8_000 + random.nextInt(12_000);
                }
            }
            for (Process p : running) {
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(30, TimeUnit.SECONDS);
                }
            }
            drive.clearFaults();
            Duration ran = Duration.ofNanos(System.nanoTime() - started);
            // every claim a killed worker left must expire before the final sweep can judge its objects
            Thread.sleep(TortureSetup.LEASES.expireAfter().plus(TortureSetup.DEBRIS_GRACE).plusSeconds(1).toMillis());
            try (TortureSetup.Opened checker = setup.open(Clock.systemUTC(), env, 5)) {
                TortureChecker.Findings findings = TortureChecker.check(checker.vaults(), journals);
                List<io.pgvault.api.BackupSet> victims = checker.vault().list().stream()
                        .filter(s -> findings.backedUp().contains(s.id().value())).toList();
                Canary canary = null;
                if (victims.size() >= 2) {
                    io.pgvault.api.BackupSet a = victims.get(victims.size() - 1);
                    io.pgvault.api.BackupSet b = victims.get(victims.size() - 2);
                    checker.vault().repository().delete(io.pgvault.api.Catalog.manifestKey(a.id()));
                    checker.vault().repository().delete(b.objects().get(0).key());
                    canary = new Canary(a.id().value(), b.id().value(),
                            TortureChecker.check(checker.vaults(), journals));
                }
                return new Report(ran, workers, seed, count, kills, outages, offsets, findings, canary);
            }
        }
    }

    private static Process spawn(Path work, TortureSetup setup, Map<String, String> env, String name, long offset,
            long seed, long deadline, List<Path> journals) {
        Path journal = work.resolve("journal-" + name + ".log");
        journals.add(journal);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx160m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                TortureWorker.class.getName(), journal.toString(), name, String.valueOf(offset),
                String.valueOf(seed), String.valueOf(deadline)));
        command.addAll(setup.toArgs());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("out-" + name + ".log").toFile());
        builder.environment().putAll(env);
        try {
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
