package io.pgvault.backend.pgdump;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what {@code pg_dump -v} prints on standard error (with {@code LC_MESSAGES=C}).
 *
 * <p>In parallel mode ({@code --jobs} &gt; 1) the leader prints {@code finished item <dumpId> <desc> <tag>} once for
 * every data item, after the worker that dumped it closed its file (parallel.c, {@code mark_dump_job_done}). Names
 * of database objects reach standard error unescaped (newlines included), so a table can be named to look like such
 * a report: every occurrence anywhere in a line is returned, and the caller treats a second report of the same file
 * as an attack. A real report is never missed this way: pg_dump writes each message body with its newline in one
 * write, so other processes' output can only precede it on its line, never split it.
 */
final class DumpProgress {
    /** A line of a large-objects table of contents: {@code <oid> blob_<oid>.dat}. */
    private static final Pattern BLOBS_TOC_LINE = Pattern.compile("\\d+ (blob_\\d+\\.dat)");
    /** {@code finished item 3356 TABLE DATA orders}, {@code finished item 3364 BLOBS BLOBS} */
    private static final Pattern FINISHED = Pattern.compile("finished item (\\d{1,9}) (TABLE DATA|BLOBS)(?= |$)");

    private DumpProgress() {
    }

    /**
     * A data item pg_dump reported finished.
     *
     * @param dumpId its dump id: a TABLE DATA item's file is {@code <dumpId>.dat}
     * @param blobs  whether it is the large objects ({@code BLOBS}) rather than a table's data
     */
    record FinishedItem(int dumpId, boolean blobs) {
    }

    /**
     * @param line a line of pg_dump's standard error
     * @return every data item the line reports finished, usually none or one
     */
    static List<FinishedItem> finishedItems(String line) {
        if (!line.contains("finished item ")) {
            return List.of();
        }
        List<FinishedItem> out = new ArrayList<>(1);
        Matcher m = FINISHED.matcher(line);
        while (m.find()) {
            out.add(new FinishedItem(Integer.parseInt(m.group(1)), m.group(2).equals("BLOBS")));
        }
        return out;
    }

    /**
     * @param line a line of pg_dump's standard error
     * @return whether it is one of {@code -v}'s informational lines ({@code pg_dump: reading schemas},
     *         {@code pg_dump: dumping contents of table ...}), which stay out of error messages; errors, warnings,
     *         their details and hints, continuation lines and pre-12 {@code pg_dump: [archiver] ...} messages do not.
     *         In parallel mode several processes write at once and their {@code pg_dump:} prefixes can land on
     *         another line than their message; the two messages of that phase are recognised without them
     */
    static boolean isChatter(String line) {
        String rest = line;
        boolean prefixed = false;
        while (rest.startsWith("pg_dump:")) {
            rest = rest.substring("pg_dump:".length()).stripLeading();
            prefixed = true;
        }
        rest = rest.stripLeading();
        if (rest.startsWith("dumping contents of table ") || rest.startsWith("finished item ")) {
            return true;
        }
        return prefixed && !(rest.startsWith("error:") || rest.startsWith("warning:") || rest.startsWith("detail:")
                || rest.startsWith("hint:") || rest.startsWith("fatal:") || rest.startsWith("["));
    }

    /**
     * @param dir    a directory-format dump
     * @param dumpId a large-objects ({@code BLOBS}) item
     * @return its files: its table of contents ({@code blobs_<dumpId>.toc} from archive version 1.16,
     *         {@code blobs.toc} before) and every {@code blob_<oid>.dat} that names
     * @throws IOException when the table of contents is missing or holds a line of another form
     */
    static List<String> blobsFiles(Path dir, int dumpId) throws IOException {
        Path toc = dir.resolve("blobs_" + dumpId + ".toc");
        if (!Files.exists(toc)) {
            toc = dir.resolve("blobs.toc");
        }
        List<String> files = new ArrayList<>(List.of(toc.getFileName().toString()));
        for (String line : Files.readAllLines(toc, StandardCharsets.ISO_8859_1)) {
            Matcher m = BLOBS_TOC_LINE.matcher(line);
            if (!m.matches()) {
                throw new IOException("unexpected line in " + toc.getFileName() + ": " + line);
            }
            files.add(m.group(1));
        }
        return files;
    }
}
