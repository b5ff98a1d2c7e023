package io.pgvault.api.retention;

import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.BackupStatus;
import io.pgvault.api.BackupType;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/** Synthetic backup sets, random histories, and the invariants every plan must satisfy. */
final class RetentionTesting {
    static final Instant EPOCH = Instant.parse("2020-01-01T00:00:00Z");

    private RetentionTesting() {
    }

    static BackupSet set(String id, BackupType type, Instant started) {
        return set(id, type, BackupStatus.COMPLETE, started, null, Map.of());
    }

    static BackupSet set(String id, BackupType type, BackupStatus status, Instant started, String dependsOn,
            Map<String, String> attributes) {
        return new BackupSet(BackupId.of(id), "test", type, status, "db", started, started.plusSeconds(60),
                Optional.ofNullable(dependsOn).map(BackupId::of), List.of(), attributes, Optional.empty());
    }

    static String idAt(Instant t, int n) {
        return t.toString().replaceAll("[:]", "").replace("-", "") + "-" + n;
    }

    /** A random history: logical or physical (FULL/DIFF/INCR chains), spread over years, with FAILED sets and pins. */
    static List<BackupSet> history(Random r) {
        int n = r.nextInt(8) == 0 ? r.nextInt(3) : r.nextInt(160);
        boolean physical = r.nextBoolean();
        Instant t = EPOCH.plus(Duration.ofHours(r.nextInt(24 * 365)));
        long maxGapMinutes = switch (r.nextInt(4)) {
            case 0 -> 90;
            case 1 -> 60 * 30;
            case 2 -> 60 * 24 * 4;
            default -> 60 * 24 * 40;
        };
        List<BackupSet> sets = new ArrayList<>(n);
        String lastFull = null;
        String lastAny = null;
        String lastDiff = null;
        for (int i = 0; i < n; i++) {
            t = t.plus(Duration.ofMinutes(1 + (long) (r.nextDouble() * maxGapMinutes)));
            if (r.nextInt(20) == 0) {
                t = t.plus(Duration.ofDays(r.nextInt(400))); // a long pause
            }
            BackupStatus status = r.nextInt(8) == 0 ? BackupStatus.FAILED : BackupStatus.COMPLETE;
            BackupType type;
            String dep = null;
            if (!physical) {
                type = BackupType.LOGICAL;
            } else if (lastFull == null || r.nextInt(6) == 0) {
                type = BackupType.FULL;
            } else if (r.nextBoolean()) {
                type = BackupType.DIFF;
                dep = lastFull;
            } else {
                type = BackupType.INCR;
                dep = lastAny;
            }
            if (dep != null && r.nextInt(40) == 0) {
                dep = "missing-" + i; // a broken chain
            }
            Map<String, String> attributes = new HashMap<>();
            if (r.nextInt(30) == 0) {
                attributes.put(Pin.ATTRIBUTE, r.nextBoolean() ? "forever" : t.plus(Duration.ofDays(r.nextInt(900)))
                        .toString());
            }
            String id = idAt(t, i);
            sets.add(set(id, type, status, t, dep, attributes));
            if (status == BackupStatus.COMPLETE || r.nextBoolean()) {
                lastAny = id;
                if (type == BackupType.FULL) {
                    lastFull = id;
                } else if (type == BackupType.DIFF) {
                    lastDiff = id;
                }
            }
        }
        assert lastDiff == null || !lastDiff.isEmpty();
        return sets;
    }

    /** A random policy, sometimes composite. */
    static RetentionPolicy policy(Random r) {
        List<RetentionPolicy> parts = new ArrayList<>();
        int k = 1 + r.nextInt(3);
        for (int i = 0; i < k; i++) {
            parts.add(switch (r.nextInt(4)) {
                case 0 -> RetentionPolicy.keepLast(1 + r.nextInt(10));
                case 1 -> RetentionPolicy.keepWithin(Duration.ofHours(1 + r.nextInt(24 * 200)));
                case 2 -> RetentionPolicy.calendar().hourly(r.nextInt(4)).daily(r.nextInt(8)).weekly(r.nextInt(5))
                        .monthly(1 + r.nextInt(13)).yearly(r.nextInt(3))
                        .zone(java.time.ZoneId.of(r.nextBoolean() ? "Europe/Berlin" : "America/New_York")).build();
                default -> {
                    FullChainRetention.Builder b = RetentionPolicy.fulls(1 + r.nextInt(5));
                    if (r.nextBoolean()) {
                        b.diffs(1 + r.nextInt(5));
                    }
                    yield b.build();
                }
            });
        }
        return parts.size() == 1 ? parts.get(0) : new AnyOf(parts);
    }

    static Instant now(List<BackupSet> sets, Random r) {
        Instant last = sets.isEmpty() ? EPOCH : sets.get(sets.size() - 1).startedAt();
        return last.plus(Duration.ofMinutes(r.nextInt(60 * 24 * 90)));
    }

    /** @return every invariant the plan breaks, empty when it is sound */
    static List<String> violations(RetentionPlan plan, List<BackupSet> sets, Instant now) {
        List<String> v = new ArrayList<>();
        Map<BackupId, RetentionDecision> byId = new HashMap<>();
        for (RetentionDecision d : plan.decisions()) {
            if (byId.put(d.id(), d) != null) {
                v.add("two decisions for " + d.id());
            }
            if (d.reasons().isEmpty() || d.reasons().stream().anyMatch(String::isBlank)) {
                v.add("no reason for " + d.id());
            }
        }
        if (plan.decisions().size() != sets.size()) {
            v.add(plan.decisions().size() + " decisions for " + sets.size() + " sets");
        }
        Map<BackupId, BackupSet> all = new HashMap<>();
        sets.forEach(s -> all.put(s.id(), s));
        for (BackupSet s : sets) {
            RetentionDecision d = byId.get(s.id());
            if (d == null) {
                v.add("no decision for " + s.id());
                continue;
            }
            if (d.keep()) {
                BackupSet cur = s;
                while (cur.dependsOn().isPresent() && all.containsKey(cur.dependsOn().get())) {
                    BackupSet base = all.get(cur.dependsOn().get());
                    if (!byId.get(base.id()).keep()) {
                        v.add("kept " + s.id() + " but deleted " + base.id() + " it depends on");
                    }
                    cur = base;
                }
            }
            Optional<Pin> pin = s.attribute(Pin.ATTRIBUTE).map(Pin::parse);
            if (pin.isPresent() && pin.get().activeAt(now) && !d.keep()) {
                v.add("deleted pinned " + s.id());
            }
        }
        BackupSet newestValid = null;
        for (BackupSet s : sets) {
            if (valid(s, all) && (newestValid == null || RetentionPlanner.ORDER.compare(s, newestValid) > 0)) {
                newestValid = s;
            }
        }
        if (newestValid != null && !byId.get(newestValid.id()).keep()) {
            v.add("deleted the newest valid set " + newestValid.id());
        }
        for (RetentionDecision d : plan.decisions()) {
            if (!valid(d.set(), all) && d.reasons().stream().anyMatch(r -> r.startsWith("keep-last")
                    || r.startsWith("daily") || r.startsWith("fulls") || r.startsWith("keep-within"))) {
                v.add("invalid set " + d.id() + " counted by a rule: " + d.reasons());
            }
        }
        return v;
    }

    static boolean valid(BackupSet s, Map<BackupId, BackupSet> all) {
        Set<BackupId> seen = new HashSet<>();
        BackupSet cur = s;
        while (true) {
            if (cur.status() != BackupStatus.COMPLETE || !seen.add(cur.id())) {
                return false;
            }
            if (cur.dependsOn().isEmpty()) {
                return true;
            }
            cur = all.get(cur.dependsOn().get());
            if (cur == null) {
                return false;
            }
        }
    }
}
