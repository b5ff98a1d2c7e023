package io.pgvault.storage.gdrive;

import com.google.api.services.drive.model.File;
import io.pgvault.spi.ObjectKeys;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import static io.pgvault.storage.gdrive.DriveFiles.FOLDER_MIME_TYPE;
import static io.pgvault.storage.gdrive.DriveFiles.escape;

/**
 * Where a key's files live in the repository folder, so that no folder outgrows Drive's 500,000 items.
 *
 * <p>A key with a parent path ({@code a/b/c}) is a file named by its last segment ({@code c}) in a <em>subfolder</em>
 * of the repository folder named by the whole parent path ({@code a/b}, one level: Drive names may contain
 * {@code /}) and marked with the app property {@value #DIR}, so that folders pgvault did not make (another repository
 * nested below this one) are never read as keys. A key without a parent is a file in the repository folder. So a
 * pgBackRest mirror keeps each of pgBackRest's own directories (a WAL directory holds at most 256 segments) in a
 * subfolder, and the repository folder holds one subfolder per directory.
 *
 * <p>Before 0.6.0 every key was a file directly in the repository folder named by the whole key (the flat layout);
 * such files are still found, listed, replaced and deleted: a key denotes the newest file in either place.
 *
 * <p>Two writers creating the same subfolder at once may both succeed (Drive allows duplicate names): writers put new
 * files into the oldest (createdTime, id), readers read all of them. The ids of known subfolders are cached for the
 * life of the repository; a listing refreshes them.
 */
final class DriveLayout {
    /** App property marking a folder as one of this layout's subfolders. */
    static final String DIR = "pgvaultDir";
    /** Subfolders read per files.list request ({@code 'a' in parents or 'b' in parents ...}), to keep URLs short. */
    static final int FOLDERS_PER_QUERY = 40;

    private final DriveFiles files;
    private final String rootId;
    /** Ids of the subfolders of each parent path, oldest first; only paths found to exist. */
    private final Map<String, List<String>> subfolders = new ConcurrentHashMap<>();

    DriveLayout(DriveFiles files, String rootId) {
        this.files = files;
        this.rootId = rootId;
    }

    /** A file found in the layout and the key-like path it stands at ({@code parent/name}, or the flat name). */
    record Entry(String path, File file) {
    }

    static String parent(String key) {
        int slash = key.lastIndexOf('/');
        return slash < 0 ? "" : key.substring(0, slash);
    }

    static String leaf(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    /** @return the folder a new file of {@code key} goes into; creates its subfolder when missing */
    String folderFor(String action, String key) {
        String parent = parent(key);
        return parent.isEmpty() ? rootId : subfolders(action, parent, true).get(0);
    }

    /** Forgets the cached subfolder of {@code key} (it vanished under a put). */
    void forget(String key) {
        subfolders.remove(parent(key));
    }

    /**
     * Every file of {@code key}, in its subfolders and flat in the repository folder: one files.list request, plus one
     * to find the subfolders the first time a parent path is used.
     */
    List<File> filesOf(String action, String key) {
        String parent = parent(key);
        String notFolder = " and mimeType != '" + FOLDER_MIME_TYPE + "' and trashed = false";
        if (parent.isEmpty()) {
            return files.query(action, "'" + escape(rootId) + "' in parents and name = '" + escape(key) + "'"
                    + notFolder);
        }
        List<String> ids = subfolders(action, parent, false);
        String flat = "('" + escape(rootId) + "' in parents and name = '" + escape(key) + "')";
        if (ids.isEmpty()) {
            return files.query(action, flat + notFolder);
        }
        return files.query(action, "(" + flat + " or ((" + inParents(ids) + ") and name = '" + escape(leaf(key))
                + "'))" + notFolder);
    }

    /**
     * Every file that can hold a key starting with {@code prefix} (temporary uploads included): the repository folder
     * is read (paged), then the subfolders whose parent path can start such a key, {@value #FOLDERS_PER_QUERY} per
     * request.
     */
    List<Entry> entries(String action, String prefix) {
        List<Entry> entries = new ArrayList<>();
        Map<String, List<File>> found = new HashMap<>();
        for (File file : files.childrenOf(action, rootId)) {
            if (!FOLDER_MIME_TYPE.equals(file.getMimeType())) {
                entries.add(new Entry(file.getName(), file));
            } else if (file.getAppProperties() != null && file.getAppProperties().containsKey(DIR)) {
                found.computeIfAbsent(file.getName(), n -> new ArrayList<>()).add(file);
            }
        }
        Map<String, String> pathOf = new HashMap<>();
        found.forEach((parent, folders) -> {
            List<String> ids = folders.stream().sorted(DriveFiles.FOLDER_ORDER).map(File::getId).toList();
            subfolders.put(parent, ids);
            if ((parent + "/").startsWith(prefix) || prefix.startsWith(parent + "/")) {
                ids.forEach(id -> pathOf.put(id, parent));
            }
        });
        List<String> wanted = new ArrayList<>(pathOf.keySet());
        for (int from = 0; from < wanted.size(); from += FOLDERS_PER_QUERY) {
            List<String> batch = wanted.subList(from, Math.min(wanted.size(), from + FOLDERS_PER_QUERY));
            for (File file : files.query(action, "(" + inParents(batch) + ") and mimeType != '" + FOLDER_MIME_TYPE
                    + "' and trashed = false")) {
                String parent = file.getParents() == null ? null : file.getParents().stream().map(pathOf::get)
                        .filter(p -> p != null).findFirst().orElse(null);
                if (parent != null && !file.getName().contains("/")) {
                    entries.add(new Entry(parent + "/" + file.getName(), file));
                }
            }
        }
        return entries;
    }

    /** @return the ids of the subfolders of {@code parent}, oldest first; created when missing and asked to */
    private List<String> subfolders(String action, String parent, boolean create) {
        List<String> known = subfolders.get(parent);
        if (known != null) {
            return known;
        }
        String q = "'" + escape(rootId) + "' in parents and name = '" + escape(parent) + "' and mimeType = '"
                + FOLDER_MIME_TYPE + "' and appProperties has { key='" + DIR + "' and value='true' } and trashed = false";
        List<File> existing = new ArrayList<>(files.query(action, q));
        if (existing.isEmpty() && create) {
            File created = files.createFolder(action, rootId, parent, Map.of(DIR, "true"));
            // Another writer may have created one too: all agree on the oldest. Ours is not removed even when it
            // loses, since a third writer may already have put a file into it; readers read every subfolder.
            existing = new ArrayList<>(files.query(action, q));
            if (existing.stream().noneMatch(f -> f.getId().equals(created.getId()))) {
                existing.add(created);
            }
        }
        if (existing.isEmpty()) {
            return List.of();
        }
        List<String> ids = existing.stream().sorted(DriveFiles.FOLDER_ORDER).map(File::getId).toList();
        subfolders.put(parent, ids);
        return ids;
    }

    private static String inParents(List<String> ids) {
        return ids.stream().map(id -> "'" + escape(id) + "' in parents").collect(Collectors.joining(" or "));
    }

    static boolean isValidKey(String name) {
        try {
            ObjectKeys.validate(name);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
