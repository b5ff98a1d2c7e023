package io.pgvault.examples.torture;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.PgVault;
import io.pgvault.api.VerifyResult;
import io.pgvault.api.retention.Pin;
import io.pgvault.api.retention.PruneMode;
import io.pgvault.api.retention.PruneReport;
import io.pgvault.api.retention.RetentionDecision;
import io.pgvault.api.retention.RetentionPlan;
import io.pgvault.api.retention.RetentionPolicy;
import io.pgvault.api.tier.SetCopy;
import io.pgvault.api.tier.SyncReport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * One torture process: opens the shared deployment ({@link TortureSetup}) and runs random operations on it until its
 * deadline or until it is killed, writing what each operation did to its journal <em>before</em> anything that a
 * checker must be able to explain happens (a prune's plan is journaled before the prune runs) and after anything it
 * must rely on (a backup is journaled once {@code backup()} returned).
 *
 * <p>Arguments: journal, worker name, clock offset in seconds, seed, deadline (epoch millis), then
 * {@link TortureSetup#toArgs()}. Secrets come from the environment.
 */
public final class TortureWorker {
    private final Path journal;
    private final String name;
    private final Random random;
    private final List<PgVault> vaults;
    private PgVault vault;

    private TortureWorker(Path journal, String name, Random random, List<PgVault> vaults) {
        this.journal = journal;
        this.name = name;
        this.random = random;
        this.vaults = vaults;
        this.vault = vaults.get(0);
    }

    /** @param args see the class comment */
    public static void main(String[] args) {
        Path journal = Path.of(args[0]);
        String name = args[1];
        Duration offset = Duration.ofSeconds(Long.parseLong(args[2]));
        Random random = new Random(Long.parseLong(args[3]));
        long deadline = Long.parseLong(args[4]);
        TortureSetup setup = TortureSetup.fromArgs(Arrays.asList(args).subList(5, args.length));
        Clock clock = Clock.offset(Clock.systemUTC(), offset);
        try (TortureSetup.Opened opened = setup.open(clock, System.getenv(), 2)) {
            TortureWorker worker = new TortureWorker(journal, name, random, opened.vaults());
            worker.log("START offset=" + offset.toSeconds() + "s");
            while (System.currentTimeMillis() < deadline) {
                worker.step();
            }
            worker.log("STOP");
        }
        System.exit(0);
    }

    private void step() {
        vault = vaults.get(random.nextInt(vaults.size())); // deployment A (local primary) or B (S3 primary)
        int dice = random.nextInt(100);
        try {
            if (dice < 35) {
                backup();
            } else if (dice < 50) {
                prune();
            } else if (dice < 65) {
                sync();
            } else if (dice < 70) {
                log("TIER_PRUNE " + vault.pruneTiers(PruneMode.EXECUTE).entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue().removed().size()).collect(Collectors.joining(",")));
            } else if (dice < 78) {
                verify();
            } else if (dice < 85) {
                restore();
            } else if (dice < 93) {
                pick().ifPresent(s -> {
                    vault.catalog().recordVerified(s.id(), vault.clock().instant());
                    log("RECORD " + s.id());
                });
            } else {
                pin();
            }
        } catch (RuntimeException e) {
            log("FAIL op=" + dice + " " + oneLine(e));
            pause(); // a refusal (clock skew, a tier down) comes back at once: do not spin on it
        }
    }

    private static void pause() {
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void backup() {
        try {
            BackupSet set = vault.backup();
            log("BACKUP_OK " + set.id() + " " + (vault == vaults.get(0) ? "A" : "B"));
        } catch (RuntimeException e) {
            log("BACKUP_FAIL " + oneLine(e));
            pause();
        }
    }

    private void prune() {
        RetentionPlan plan = vault.planRetention(RetentionPolicy.keepLast(TortureSetup.KEEP_PRIMARY));
        log("PLAN_DELETE " + plan.deleted().stream().map(d -> d.id().value()).collect(Collectors.joining(",")));
        PruneReport report = vault.prune(plan, PruneMode.EXECUTE);
        log("PRUNE_OK removed=" + report.removed().stream().map(s -> s.id().value())
                .collect(Collectors.joining(",")) + " debris=" + report.debris().size());
    }

    private void sync() {
        SyncReport report = vault.sync();
        String copied = report.tiers().stream().flatMap(t -> t.copies().stream()).filter(SetCopy::succeeded)
                .map(c -> c.tier() + ":" + c.id()).collect(Collectors.joining(","));
        long failed = report.tiers().stream().flatMap(t -> t.copies().stream()).filter(c -> !c.succeeded()).count();
        log("SYNC copied=" + copied + " failed=" + failed);
    }

    private void verify() {
        var set = pick();
        if (set.isEmpty()) {
            return;
        }
        VerifyResult result = vault.verify(set.get().id(), true);
        log("VERIFY " + set.get().id() + (result.problems().isEmpty() ? " OK" : " PROBLEM " + result.problems()));
        if (!result.problems().isEmpty() && vault.find(set.get().id()).isPresent()) {
            // pruned meanwhile is fine; still listed with bad or missing objects is a falsely listed set
            log("LISTED_BROKEN " + set.get().id() + " " + result.problems());
        }
    }

    /**
     * Restores a listed set (the strategy decodes every object): under a reader's claim a prune stands back, so a set
     * still listed after a failed restore is a falsely listed set; one pruned before the claim is not.
     */
    private void restore() {
        var set = pick();
        if (set.isEmpty()) {
            return;
        }
        BackupId id = set.get().id();
        try {
            vault.restore(io.pgvault.api.RestoreRequest.builder().backupId(id).build());
            log("RESTORE_OK " + id);
        } catch (io.pgvault.api.NotFoundException e) {
            log("RESTORE_GONE " + id + " " + oneLine(e));
        } catch (RuntimeException e) {
            log("RESTORE_FAIL " + id + " " + oneLine(e));
            if (e instanceof io.pgvault.api.IntegrityException && vault.find(id).isPresent()) {
                log("LISTED_BROKEN " + id + " restore: " + oneLine(e));
            }
        }
    }

    private void pin() {
        var set = pick();
        if (set.isEmpty()) {
            return;
        }
        BackupId id = set.get().id();
        try {
            vault.catalog().pin(id, Pin.forever());
            log("PIN_OK " + id);
        } catch (RuntimeException e) {
            log("PIN_FAIL " + id + " " + oneLine(e));
        }
    }

    private java.util.Optional<BackupSet> pick() {
        List<BackupSet> sets = vault.list();
        return sets.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of(sets.get(random.nextInt(sets.size())));
    }

    private void log(String line) {
        try {
            Files.writeString(journal, System.currentTimeMillis() + " " + name + " " + line + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String oneLine(Throwable e) {
        return (e.getClass().getSimpleName() + ": " + e.getMessage()).replace('\n', ' ');
    }

    static List<String> deletedBy(RetentionPlan plan) {
        return plan.deleted().stream().map(RetentionDecision::id).map(BackupId::value).toList();
    }
}
