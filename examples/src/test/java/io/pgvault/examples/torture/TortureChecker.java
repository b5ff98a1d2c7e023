package io.pgvault.examples.torture;

import io.pgvault.api.BackupSet;
import io.pgvault.api.Catalog;
import io.pgvault.api.CatalogScan;
import io.pgvault.api.PgVault;
import io.pgvault.api.RepositoryLayout;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.Repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The independent check after a torture run: lists every repository afresh, deep-verifies every listed set, and holds
 * the journals against what is there.
 */
final class TortureChecker {
    /** What the checker found. */
    record Findings(int listedPrimary, Map<String, Integer> listedTiers, Set<String> falselyListed, Set<String> lost,
            Set<String> pinsLost, int damaged, Map<String, Integer> debrisBefore, Map<String, Integer> debrisAfter,
            Map<String, Integer> journalCounts, Map<String, Integer> failureKinds, Set<String> backedUp,
            Set<String> neverOnDrive, int reportedLostToDrive) {
        boolean clean() {
            return falselyListed.isEmpty() && lost.isEmpty() && pinsLost.isEmpty() && damaged == 0
                    && neverOnDrive.isEmpty()
                    && debrisAfter.values().stream().allMatch(n -> n == 0);
        }
    }

    private TortureChecker() {
    }

    static Findings check(List<PgVault> vaults, List<Path> journals) {
        List<String> lines = new ArrayList<>();
        for (Path j : journals) {
            try {
                if (Files.exists(j)) {
                    lines.addAll(Files.readAllLines(j));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Set<String> backedUp = new TreeSet<>();
        Set<String> backedUpA = new TreeSet<>();
        Set<String> planned = new HashSet<>();
        Set<String> brokenWhileListed = new TreeSet<>();
        // a prune's plan excuses a deletion only until the prune reports what it removed; a prune that never
        // reported (killed, or failed part way) may have removed anything its plan said
        Map<String, Set<String>> openPlan = new HashMap<>();
        Set<String> pinned = new TreeSet<>();
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, Integer> failures = new java.util.TreeMap<>();
        for (String line : lines) {
            String[] f = line.split(" ", 4);
            if (f.length < 3) {
                continue;
            }
            counts.merge(f[2], 1, Integer::sum);
            String arg = f.length > 3 ? f[3] : "";
            String worker = f[1];
            switch (f[2]) {
                case "BACKUP_OK" -> {
                    String[] idAndDeployment = arg.trim().split(" ");
                    backedUp.add(idAndDeployment[0]);
                    if (idAndDeployment.length < 2 || idAndDeployment[1].equals("A")) {
                        backedUpA.add(idAndDeployment[0]);
                    }
                }
                case "PLAN_DELETE" -> {
                    Set<String> ids = new HashSet<>();
                    for (String id : arg.trim().split(",")) {
                        if (!id.isEmpty()) {
                            ids.add(id);
                        }
                    }
                    openPlan.put(worker, ids);
                }
                case "PRUNE_OK" -> {
                    openPlan.remove(worker);
                    String removed = arg.replaceFirst("^removed=", "").replaceFirst(" debris=.*$", "");
                    for (String id : removed.split(",")) {
                        if (!id.isEmpty()) {
                            planned.add(id);
                        }
                    }
                }
                case "LISTED_BROKEN" -> brokenWhileListed.add(arg.trim());
                case "PIN_OK" -> pinned.add(arg.trim());
                case "BACKUP_FAIL", "FAIL", "PIN_FAIL", "RESTORE_FAIL" -> {
                    failures.merge(f[2] + " " + kind(arg), 1, Integer::sum);
                    Set<String> unfinished = f[2].equals("FAIL") ? openPlan.remove(worker) : null;
                    if (unfinished != null) {
                        planned.addAll(unfinished);
                    }
                }
                case "START", "STOP" -> {
                    Set<String> unfinished = openPlan.remove(worker); // a worker's journal ends with its life
                    if (unfinished != null) {
                        planned.addAll(unfinished);
                    }
                }
                default -> { }
            }
        }
        openPlan.values().forEach(planned::addAll); // killed in the middle of a prune
        Map<String, Integer> debrisBefore = new LinkedHashMap<>();
        Map<String, Integer> debrisAfter = new LinkedHashMap<>();
        Set<String> falselyListed = new TreeSet<>();
        brokenWhileListed.forEach(b -> falselyListed.add("during the run: " + b));
        int damaged = 0;
        Set<String> listed = new HashSet<>();
        int listedPrimary = 0;
        Map<String, Integer> listedTiers = new LinkedHashMap<>();
        for (PgVault v : vaults) {
            String name = v == vaults.get(0) ? "primary" : "primaryB";
            sweep(name, v.catalog(), debrisBefore, debrisAfter);
            CatalogScan primary = v.catalog().scan();
            damaged += primary.damaged().size();
            listedPrimary += primary.sets().size();
            for (BackupSet s : primary.sets()) {
                listed.add(s.id().value());
                var problems = v.verify(s.id(), true).problems();
                if (!problems.isEmpty()) {
                    falselyListed.add(name + ":" + s.id() + " " + problems);
                }
            }
            for (var tier : v.tiers()) {
                PgVault onTier = v.onTier(tier.name());
                sweep(tier.name(), onTier.catalog(), debrisBefore, debrisAfter);
                CatalogScan scan = onTier.catalog().scan();
                damaged += scan.damaged().size();
                listedTiers.put(tier.name(), scan.sets().size());
                for (BackupSet s : scan.sets()) {
                    var problems = onTier.verify(s.id(), true).problems();
                    if (!problems.isEmpty()) {
                        falselyListed.add(tier.name() + ":" + s.id() + " " + problems);
                    }
                }
            }
        }
        // scenario 3: the Drive tier (no retention) holds every set of deployment A, unless the primary still has it
        // (a copy pending) or the primary's prune reported it lost to the tier (a notice, after maxCopyWait)
        PgVault a = vaults.get(0);
        Set<String> onDrive = new HashSet<>();
        a.onTier("drive").list().forEach(s -> onDrive.add(s.id().value()));
        Set<String> onPrimaryA = new HashSet<>();
        a.list().forEach(s -> onPrimaryA.add(s.id().value()));
        Set<String> notices = new HashSet<>();
        for (ObjectInfo i : a.repository().list(RepositoryLayout.NOTICES + "tier-lost/drive/")) {
            String name = i.key().substring(i.key().lastIndexOf('/') + 1);
            notices.add(name.replaceFirst("\\.json$", ""));
        }
        Set<String> neverOnDrive = new TreeSet<>();
        for (String id : backedUpA) {
            if (!onDrive.contains(id) && !onPrimaryA.contains(id) && !notices.contains(id)) {
                neverOnDrive.add(id);
            }
        }
        Set<String> lost = new TreeSet<>(backedUp);
        lost.removeAll(listed);
        lost.removeAll(planned);
        Set<String> pinsLost = new TreeSet<>(pinned);
        pinsLost.removeAll(listed);
        return new Findings(listedPrimary, listedTiers, falselyListed, lost, pinsLost, damaged,
                debrisBefore, debrisAfter, counts, failures, backedUp, neverOnDrive, notices.size());
    }

    /** The exception class and the start of its message, ids and numbers blurred, to group failures by kind. */
    private static String kind(String arg) {
        String text = arg.replaceFirst("^op=\\d+ ", "").replaceAll("\\d{8}T\\d{6}Z-[0-9a-f]{6}", "<id>")
                .replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "<uuid>").replaceAll("\\d+", "N");
        return text.length() > 110 ? text.substring(0, 110) + "..." : text;
    }

    /** Counts what belongs to no listed set, sweeps it, and counts again. */
    private static void sweep(String name, Catalog catalog, Map<String, Integer> before, Map<String, Integer> after) {
        before.put(name, orphans(catalog).size());
        catalog.removeDebris(TortureSetup.DEBRIS_GRACE);
        // a sweep of a set's objects leaves a record (a writer committing that set at that moment takes its manifest
        // back when it sees it); the next sweep after the grace period removes it
        if (orphans(catalog).stream().anyMatch(k -> k.contains("/sweeping-"))) {
            try {
                Thread.sleep(TortureSetup.DEBRIS_GRACE.toMillis() + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            catalog.removeDebris(TortureSetup.DEBRIS_GRACE);
        }
        after.put(name, orphans(catalog).size());
    }

    private static List<String> orphans(Catalog catalog) {
        Repository repo = catalog.repository();
        Set<String> committed = new HashSet<>();
        for (ObjectInfo i : repo.list(RepositoryLayout.MANIFESTS)) {
            RepositoryLayout.manifestName(i.key()).ifPresent(committed::add);
        }
        List<String> orphans = new ArrayList<>();
        for (String prefix : List.of(RepositoryLayout.DATA, RepositoryLayout.RECORDS)) {
            for (ObjectInfo i : repo.list(prefix)) {
                if (!committed.contains(RepositoryLayout.owner(prefix, i.key()).orElse(""))) {
                    orphans.add(i.key());
                }
            }
        }
        for (ObjectInfo i : repo.list(RepositoryLayout.INTENTS)) {
            orphans.add(i.key());
        }
        return orphans;
    }
}
