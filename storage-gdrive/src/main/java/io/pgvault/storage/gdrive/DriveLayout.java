package io.pgvault.storage.gdrive;

import com.google.api.services.drive.model.File;
import io.pgvault.spi.ObjectKeys;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * life of the repository; a listing, a delete and a lookup that finds nothing refresh them, so a process with a warm
 * cache sees a twin subfolder made after it cached the path.
 *
 * <p>Drive may answer a files.list naming several parents ({@code 'A' in parents or 'B' in parents}) without the
 * children of some of them, saying {@code incompleteSearch: false} (rclone issues 3114, 4289, 9810): a key's files are
 * looked up one parent folder per request, and a listing asks again, alone, each subfolder a batched request returned
 * nothing for.
 */
final class DriveLayout {
    /** App property marking a folder as one of this layout's subfolders. */
    static final String DIR = "pgvaultDir";
    /** Subfolders read per files.list request ({@code 'a' in parents or 'b' in parents ...}), to keep URLs short. */
    static final int FOLDERS_PER_QUERY = 40;
    private static final String NOT_FOLDER = " and mimeType != '" + FOLDER_MIME_TYPE + "' and trashed = false";
    /** The value of {@value #DIR} on this layout's subfolders. */
    static final String MARK = "true";
    private static final String MARKED = "appProperties has { key='" + DIR + "' and value='" + MARK + "' }";

    private final DriveFiles files;
    private final String rootId;
    /** Ids of the subfolders of each parent path, oldest first; only paths found to exist. */
    private final Map<String, List<String>> subfolders = new ConcurrentHashMap<>();
    /**
     * Whether the repository folder holds files of the flat layout (names with {@code /}): null until a listing read
     * it. Only a writer older than 0.6.0 adds such files; every listing refreshes this.
     */
    private volatile Boolean flatFilesInRoot;

    DriveLayout(DriveFiles files, String rootId) {
        this.files = files;
        this.rootId = rootId;
    }

    /** Entries of the repository folder {@link #requireOwnProject} looks at: one request. */
    static final int PROJECT_CHECK_ENTRIES = 200;

    /**
     * Refuses a repository folder that pgvault wrote with another Google Cloud project's credentials. App properties
     * are private to the project that set them, so the marks pgvault leaves are invisible here: that project's keys
     * would be unreadable, and puts would make twin subfolders beside its own, so that two processes of different
     * projects each see half of one repository. Taken as such evidence, among the first
     * {@value #PROJECT_CHECK_ENTRIES} entries of the repository folder (one request): a folder named by a key's parent
     * path with a {@code /} (every set's {@code data/ID}, {@code records/ID}; a mirror's {@code archive/STANZA/...})
     * without the {@value #DIR} mark, and a file of the layout before 0.6.0 (named by a whole key with a {@code /})
     * without the commit mark. Humans rarely give such names (no spaces, at least one {@code /}); a folder of theirs
     * that has one must move out of the repository folder.
     *
     * @throws GoogleDriveRepositoryException {@link GoogleDriveRepositoryException.Reason#OTHER_PROJECT}
     */
    void requireOwnProject(String action, String repository) {
        List<File> foreign = new ArrayList<>();
        boolean ownMarks = false;
        for (File entry : files.firstPage(action, "'" + escape(rootId) + "' in parents and trashed = false",
                PROJECT_CHECK_ENTRIES)) {
            boolean folder = FOLDER_MIME_TYPE.equals(entry.getMimeType());
            if (folder && isSubfolder(entry)) {
                ownMarks = true;
            } else if (looksLikeKeyPath(entry.getName()) && (folder ? !isSubfolder(entry) : !committed(entry))) {
                foreign.add(entry);
            }
        }
        if (foreign.isEmpty()) {
            return;
        }
        File first = foreign.get(0);
        String what = (FOLDER_MIME_TYPE.equals(first.getMimeType()) ? "subfolder '" : "file '")
                + first.getName() + "' (" + first.getId() + ")" + (foreign.size() > 1 ? " and "
                + (foreign.size() - 1) + " more" : "");
        throw new GoogleDriveRepositoryException(GoogleDriveRepositoryException.Reason.OTHER_PROJECT, action + ": "
                + repository + " holds " + what + " without pgvault's mark as these credentials see it"
                + (ownMarks ? ", beside subfolders these credentials' project marked: two Google Cloud projects have "
                        + "written into it" : "")
                + ". Drive shows app properties only to the Cloud project that set them, so that was written by "
                + "pgvault with credentials of another project (or made by hand). These credentials would not see "
                + "that project's keys and would write beside them: use credentials of the project that wrote the "
                + "repository (every reader and writer of one repository must share it); a folder of yours with such "
                + "a name must move out of the repository folder", null);
    }

    private static boolean looksLikeKeyPath(String name) {
        if (name == null || !name.contains("/")) {
            return false;
        }
        try {
            ObjectKeys.validate(name);
            return true;
        } catch (RuntimeException e) {
            return false; // spaces, control characters and the like: a human's name, not a key's (nor quoted)
        }
    }

    private static boolean committed(File file) {
        return file.getAppProperties() != null && file.getAppProperties().containsKey(DriveFiles.COMMIT);
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
     * Every file of {@code key}, in its subfolders and flat in the repository folder, asking about one parent folder per
     * files.list request: Drive may silently leave out the children of some parents of a query that names several
     * ({@code 'A' in parents or 'B' in parents}, with {@code incompleteSearch} false), and a lookup that misses a file
     * makes a delete leave it behind. Requests: one per subfolder of the parent path, plus one in the repository folder
     * that also refreshes the subfolders when they are not cached, or asked to be ({@code refresh}), or when nothing
     * was found (a writer may have made a twin subfolder since they were cached); the repository folder is not asked
     * for flat files once a listing found none there. A key without a parent: one request.
     */
    List<File> filesOf(String action, String key, boolean refresh) {
        String parent = parent(key);
        if (parent.isEmpty()) {
            return files.query(action, "'" + escape(rootId) + "' in parents and name = '" + escape(key) + "'"
                    + NOT_FOLDER);
        }
        List<File> found = new ArrayList<>();
        List<String> cached = subfolders.get(parent);
        List<String> ids;
        if (cached == null || refresh) {
            ids = lookUp(action, parent, key, found);
        } else {
            ids = cached;
            if (!Boolean.FALSE.equals(flatFilesInRoot)) {
                found.addAll(files.query(action, "'" + escape(rootId) + "' in parents and name = '" + escape(key)
                        + "'" + NOT_FOLDER));
            }
        }
        found.addAll(inSubfolders(action, ids, leaf(key)));
        if (found.isEmpty() && cached != null && !refresh) {
            List<String> again = lookUp(action, parent, key, found);
            found.addAll(inSubfolders(action, again.stream().filter(id -> !ids.contains(id)).toList(), leaf(key)));
        }
        return found;
    }

    /**
     * One request in the repository folder for the subfolders of {@code parent} and the flat files of {@code key}
     * (several names, one parent: not subject to the multi-parent omissions); caches the subfolders' ids.
     *
     * @param flat receives the flat files
     * @return the subfolders' ids, oldest first
     */
    private List<String> lookUp(String action, String parent, String key, List<File> flat) {
        List<File> folders = new ArrayList<>();
        for (File file : files.query(action, "'" + escape(rootId) + "' in parents and trashed = false and ((name = '"
                + escape(parent) + "' and mimeType = '" + FOLDER_MIME_TYPE + "' and " + MARKED + ") or (name = '"
                + escape(key) + "' and mimeType != '" + FOLDER_MIME_TYPE + "'))")) {
            if (isSubfolder(file) && parent.equals(file.getName())) {
                folders.add(file);
            } else if (!FOLDER_MIME_TYPE.equals(file.getMimeType()) && key.equals(file.getName())) {
                flat.add(file);
            }
        }
        List<String> ids = folders.stream().sorted(DriveFiles.FOLDER_ORDER).map(File::getId).toList();
        if (ids.isEmpty()) {
            subfolders.remove(parent);
        } else {
            subfolders.put(parent, ids);
        }
        return ids;
    }

    /** The files named {@code name} in each of the folders, one request per folder. */
    private List<File> inSubfolders(String action, List<String> ids, String name) {
        List<File> found = new ArrayList<>();
        for (String id : ids) {
            found.addAll(files.query(action, "'" + escape(id) + "' in parents and name = '" + escape(name) + "'"
                    + NOT_FOLDER));
        }
        return found;
    }

    /**
     * Every file that can hold a key starting with {@code prefix} (temporary uploads included): the repository folder
     * is read (paged), then the subfolders whose parent path can start such a key, {@value #FOLDERS_PER_QUERY} per
     * request; a subfolder of a multi-parent request that got no file is asked again on its own (Drive may silently
     * leave a parent out of such an answer), so each empty subfolder costs a request.
     */
    List<Entry> entries(String action, String prefix) {
        List<Entry> entries = new ArrayList<>();
        Map<String, List<File>> found = new HashMap<>();
        boolean flat = false;
        for (File file : files.childrenOf(action, rootId)) {
            if (!FOLDER_MIME_TYPE.equals(file.getMimeType())) {
                entries.add(new Entry(file.getName(), file));
                flat |= file.getName().contains("/");
            } else if (isSubfolder(file)) {
                found.computeIfAbsent(file.getName(), n -> new ArrayList<>()).add(file);
            }
        }
        flatFilesInRoot = flat;
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
            for (File file : childrenOf(action, batch)) {
                String parent = file.getParents() == null ? null : file.getParents().stream().map(pathOf::get)
                        .filter(p -> p != null).findFirst().orElse(null);
                if (parent != null && !file.getName().contains("/")) {
                    entries.add(new Entry(parent + "/" + file.getName(), file));
                }
            }
        }
        return entries;
    }

    /** The files in the folders; each folder no file was returned for is asked again alone. */
    private List<File> childrenOf(String action, List<String> ids) {
        List<File> children = new ArrayList<>(files.query(action, "(" + inParents(ids) + ")" + NOT_FOLDER));
        if (ids.size() > 1) {
            Set<String> answered = new HashSet<>();
            children.forEach(f -> answered.addAll(f.getParents() == null ? List.of() : f.getParents()));
            for (String id : ids) {
                if (!answered.contains(id)) {
                    children.addAll(files.query(action, "'" + escape(id) + "' in parents" + NOT_FOLDER));
                }
            }
        }
        return children;
    }

    /** @return the ids of the subfolders of {@code parent}, oldest first; created when missing and asked to */
    private List<String> subfolders(String action, String parent, boolean create) {
        List<String> known = subfolders.get(parent);
        if (known != null) {
            return known;
        }
        String q = "'" + escape(rootId) + "' in parents and name = '" + escape(parent) + "' and mimeType = '"
                + FOLDER_MIME_TYPE + "' and " + MARKED + " and trashed = false";
        List<File> existing = new ArrayList<>(files.query(action, q));
        if (existing.isEmpty() && create) {
            File created = files.createFolder(action, rootId, parent, Map.of(DIR, MARK));
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

    /** A folder marked as this layout's ({@value #DIR} = {@value #MARK}, what {@link #MARKED} queries for). */
    static boolean isSubfolder(File file) {
        return FOLDER_MIME_TYPE.equals(file.getMimeType()) && file.getAppProperties() != null
                && MARK.equals(file.getAppProperties().get(DIR));
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
