package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.NotFoundException;
import io.pgvault.backend.pgbackrest.PgBackRestBackup;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a pgBackRest set's files are in a repository (2.x layout): the set's directory
 * {@code backup/<stanza>/<label>/} (manifest, copy, {@code pg_data/...} or bundles), its history manifest
 * {@code backup/<stanza>/backup.history/<yyyy>/<label>.manifest.gz}, and its WAL in the archive id directory
 * {@code archive/<stanza>/<pg-version>-<db-id>/<timeline+log>/<segment>-<sha1>[.<ext>]}, with the
 * {@code <start>.<offset>.backup} label and {@code <timeline>.history} files.
 */
final class SourceLayout {
    /** A segment: 24 hex digits, its SHA-1 and an optional compression extension. */
    private static final Pattern SEGMENT = Pattern.compile("([0-9A-F]{24})-[0-9a-f]{40}(\\.[a-z0-9]+)?");
    private static final Pattern BACKUP_LABEL =
            Pattern.compile("([0-9A-F]{24})\\.[0-9A-F]{8}\\.backup(-[0-9a-f]{40})?(\\.[a-z0-9]+)?");
    private static final Pattern HISTORY = Pattern.compile("[0-9A-F]{8}\\.history(-[0-9a-f]{40})?(\\.[a-z0-9]+)?");
    private static final Pattern ARCHIVE_ID = Pattern.compile("\\d+(\\.\\d+)?-\\d+");
    private static final Pattern LOG_DIR = Pattern.compile("[0-9A-F]{16}");

    /** pgBackRest's info files, relative to the repository root; {@code %s} is the stanza. */
    static final List<String> INFO_FILES = List.of("backup/%s/backup.info", "backup/%s/backup.info.copy",
            "archive/%s/archive.info", "archive/%s/archive.info.copy");

    private final SourceRepo source;
    private final String stanza;

    SourceLayout(SourceRepo source, String stanza) {
        this.source = source;
        this.stanza = stanza;
    }

    /** @return the set's own files and its history manifest, if present */
    List<SourceFile> setFiles(String label) {
        List<SourceFile> files = new ArrayList<>(source.list("backup/" + stanza + "/" + label, true));
        if (files.stream().noneMatch(f -> f.path().endsWith(label + "/backup.manifest"))) {
            throw new NotFoundException("set " + label + " has no backup.manifest in " + source.id()
                    + " (expired, or still being written)");
        }
        source.stat("backup/" + stanza + "/backup.history/" + label.substring(0, 4) + "/" + label + ".manifest.gz")
                .ifPresent(files::add);
        return files;
    }

    /** @return the info files that exist in the source */
    List<SourceFile> infoFiles() {
        List<SourceFile> out = new ArrayList<>();
        for (String f : INFO_FILES) {
            source.stat(String.format(f, stanza)).ifPresent(out::add);
        }
        return out;
    }

    /** @return the archive id directory holding {@code walStart}, newest first when several do */
    String archiveId(PgBackRestBackup b) {
        String start = walStart(b);
        // only the set's PostgreSQL version: after an upgrade onto a new initdb, a newer archive id holds WAL with the
        // same names from another cluster
        List<String> ids = new ArrayList<>(source.directories("archive/" + stanza).stream()
                .filter(d -> ARCHIVE_ID.matcher(d).matches())
                .filter(d -> b.pgVersion().map(v -> d.substring(0, d.lastIndexOf('-')).equals(v)).orElse(true))
                .toList());
        ids.sort((x, y) -> Integer.compare(dbId(y), dbId(x)));
        for (String id : ids) {
            for (SourceFile f : source.list("archive/" + stanza + "/" + id + "/" + start.substring(0, 16), false)) {
                Matcher m = SEGMENT.matcher(f.name());
                if (m.matches() && m.group(1).equals(start)) {
                    return id;
                }
            }
        }
        throw new NotFoundException("WAL segment " + start + ", the first set " + b.label() + " needs, is not in "
                + "archive/" + stanza + " of " + source.id() + " (archive expired, or archiving never worked)");
    }

    private static int dbId(String archiveId) {
        return Integer.parseInt(archiveId.substring(archiveId.lastIndexOf('-') + 1));
    }

    /**
     * @param start     the set's first WAL segment
     * @param stop      its last WAL segment
     * @param archiveId its archive id directory
     * @param policy    consistency only, or PITR up to {@code nextStart}
     * @param nextStart the first segment of the next selected set (PITR), empty for the newest
     * @return the archive files, sorted by path
     */
    List<SourceFile> wal(String start, String stop, String archiveId, WalPolicy policy, Optional<String> nextStart) {
        String base = "archive/" + stanza + "/" + archiveId;
        Map<String, SourceFile> out = new LinkedHashMap<>();
        for (String dir : source.directories(base)) {
            if (!LOG_DIR.matcher(dir).matches() || !dirMayHold(dir, start, stop, policy, nextStart)) {
                continue;
            }
            for (SourceFile f : source.list(base + "/" + dir, false)) {
                Matcher seg = SEGMENT.matcher(f.name());
                Matcher label = BACKUP_LABEL.matcher(f.name());
                boolean take = seg.matches() && wanted(seg.group(1), start, stop, policy, nextStart)
                        || label.matches() && label.group(1).equals(start);
                if (take) {
                    out.put(f.path(), f);
                }
            }
        }
        for (SourceFile f : source.list(base, false)) {
            if (HISTORY.matcher(f.name()).matches()) {
                out.put(f.path(), f);
            }
        }
        List<SourceFile> files = new ArrayList<>(out.values());
        files.sort(java.util.Comparator.comparing(SourceFile::path));
        return files;
    }

    private static boolean dirMayHold(String dir, String start, String stop, WalPolicy policy,
            Optional<String> nextStart) {
        if (policy == WalPolicy.CONSISTENCY) {
            return dir.compareTo(start.substring(0, 16)) >= 0 && dir.compareTo(stop.substring(0, 16)) <= 0;
        }
        String log = dir.substring(8, 16);
        return timeline(dir) >= timeline(start) && log.compareTo(start.substring(8, 16)) >= 0
                && nextStart.map(n -> log.compareTo(n.substring(8, 16)) <= 0).orElse(true);
    }

    private static boolean wanted(String seg, String start, String stop, WalPolicy policy,
            Optional<String> nextStart) {
        if (seg.compareTo(start) >= 0 && seg.compareTo(stop) <= 0) {
            return true;
        }
        if (policy == WalPolicy.CONSISTENCY) {
            return false;
        }
        // PITR: every timeline from the set's on, from its start position up to the next selected set's start
        return timeline(seg) >= timeline(start) && seg.substring(8).compareTo(start.substring(8)) >= 0
                && nextStart.map(n -> seg.substring(8).compareTo(n.substring(8)) < 0).orElse(true);
    }

    private static long timeline(String name) {
        return Long.parseLong(name.substring(0, 8), 16);
    }

    /**
     * Where a set's mirrored WAL has holes: within each timeline, every segment after the set's first must follow the
     * one before it (the next segment number, or segment 0 of the next log file: any WAL segment size). A hole means
     * the source no longer held those segments when the mirror got to them (it expired them), so a point-in-time
     * recovery cannot pass it.
     *
     * @param paths the archive paths of the set's WAL files
     * @return one description per hole, e.g. {@code 000000010000000000000007..00000001000000000000000A missing}
     */
    static List<String> gaps(List<String> paths) {
        java.util.TreeMap<Long, java.util.TreeSet<String>> byTimeline = new java.util.TreeMap<>();
        for (String p : paths) {
            Matcher m = SEGMENT.matcher(p.substring(p.lastIndexOf('/') + 1));
            if (m.matches()) {
                byTimeline.computeIfAbsent(timeline(m.group(1)), t -> new java.util.TreeSet<>()).add(m.group(1));
            }
        }
        List<String> out = new ArrayList<>();
        for (java.util.TreeSet<String> segs : byTimeline.values()) {
            String prev = null;
            for (String seg : segs) {
                if (prev != null && !follows(prev, seg)) {
                    out.add("after " + prev + ", WAL up to " + seg + " (exclusive) is missing");
                }
                prev = seg;
            }
        }
        return out;
    }

    /**
     * @param paths the archive paths of a set's WAL files
     * @param start its first segment
     * @param stop  its last segment
     * @return what is missing of the segments from {@code start} to {@code stop} (the set cannot reach consistency
     *         without them), if anything
     */
    static Optional<String> missingForConsistency(List<String> paths, String start, String stop) {
        java.util.TreeSet<String> have = new java.util.TreeSet<>();
        for (String p : paths) {
            Matcher m = SEGMENT.matcher(p.substring(p.lastIndexOf('/') + 1));
            if (m.matches()) {
                have.add(m.group(1));
            }
        }
        if (!have.contains(start) || !have.contains(stop)) {
            return Optional.of("segment " + (have.contains(start) ? stop : start) + " is not in the archive");
        }
        if (start.substring(0, 8).equals(stop.substring(0, 8))) {
            List<String> range = List.copyOf(have.subSet(start, true, stop, true));
            List<String> holes = gaps(range.stream().map(seg -> seg + "-" + "0".repeat(40)).toList());
            if (!holes.isEmpty()) {
                return Optional.of(holes.get(0));
            }
        }
        return Optional.empty();
    }

    private static boolean follows(String prev, String seg) {
        long log = Long.parseLong(prev.substring(8, 16), 16);
        long no = Long.parseLong(prev.substring(16), 16);
        long nextLog = Long.parseLong(seg.substring(8, 16), 16);
        long nextNo = Long.parseLong(seg.substring(16), 16);
        return nextLog == log && nextNo == no + 1 || nextLog == log + 1 && nextNo == 0;
    }

    static String walStart(PgBackRestBackup b) {
        return b.walStart().orElseThrow(() -> new NotFoundException("set " + b.label()
                + " has no archive start in pgbackrest info: a set taken without WAL archiving cannot be mirrored"));
    }
}
