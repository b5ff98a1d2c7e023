package io.pgvault.backend.pgdump;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Tells which files of a {@code pg_dump -Fd --jobs 1} dump are closed, from repeated listings of its directory alone.
 *
 * <p>Without workers pg_dump writes one file at a time and never reopens one: {@code toc.dat} first, then each data
 * item's file. The one nesting is a large-objects item: its table of contents ({@code blobs.toc}, or
 * {@code blobs_<dumpId>.toc} from archive version 1.16) stays open while its {@code blob_<oid>.dat} files are written
 * one by one. So a file is closed once a file created after it exists, unless that is a blob file and the first a
 * large-objects table of contents.
 *
 * <p>"Created after" needs care: a listing may or may not return a file created while it runs. A file first seen in
 * listing {@code j} existed when listing {@code j} ended; a file first seen in listing {@code k >= j + 2} was not
 * returned by listing {@code k - 1}, which began after listing {@code j} ended and returns every file that existed
 * when it began, so it was created later. Files this class reports are deleted by the caller; they are never seen
 * again and keep their place in the order.
 */
final class CreationOrder {
    private static final Pattern BLOB_DATA = Pattern.compile("blob_\\d+\\.dat");
    private static final Pattern BLOBS_TOC = Pattern.compile("blobs(_\\d+)?\\.toc");

    private final Map<String, Integer> firstSeen = new HashMap<>();
    private final Set<String> open = new LinkedHashSet<>();
    private int listings;
    /** the last listing that showed a file for the first time */
    private int newestAny;
    /** the last listing that showed a file other than a blob file for the first time */
    private int newestNotBlobData;

    /**
     * @param listing the names of the files in the dump's directory, listed after every earlier call returned
     * @return the files now known to be closed that no earlier call returned
     */
    List<String> next(Collection<String> listing) {
        listings++;
        for (String name : listing) {
            if (firstSeen.putIfAbsent(name, listings) == null) {
                open.add(name);
                newestAny = listings;
                if (!BLOB_DATA.matcher(name).matches()) {
                    newestNotBlobData = listings;
                }
            }
        }
        List<String> closed = new ArrayList<>();
        for (Iterator<String> it = open.iterator(); it.hasNext();) {
            String name = it.next();
            int later = BLOBS_TOC.matcher(name).matches() ? newestNotBlobData : newestAny;
            if (later >= firstSeen.get(name) + 2) {
                closed.add(name);
                it.remove();
            }
        }
        return closed;
    }
}
