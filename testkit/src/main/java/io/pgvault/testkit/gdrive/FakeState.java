package io.pgvault.testkit.gdrive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/** The files and folders of the fake, and the Drive v3 operations on them. One lock guards the metadata. */
final class FakeState {
    /** The Cloud project of credentials registered without one. */
    static final String DEFAULT_PROJECT = "pgvault-test";
    /**
     * The Cloud project of the request this thread serves (its credentials'): app properties are "private to the
     * requesting app" (Drive v3 reference, File.appProperties), so each project sets, queries and reads only its own.
     */
    private final ThreadLocal<String> project = ThreadLocal.withInitial(() -> DEFAULT_PROJECT);

    /** Serves the requests of this thread as {@code cloudProject} until {@link #endRequest()}. */
    void beginRequest(String cloudProject) {
        project.set(cloudProject == null ? DEFAULT_PROJECT : cloudProject);
    }

    void endRequest() {
        project.remove();
    }

    /** @return the Cloud project of the request this thread serves */
    String project() {
        return project.get();
    }

    private static final DateTimeFormatter RFC3339 =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final String ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private final Object lock = new Object();
    private final ObjectMapper json;
    private final Path blobs;
    /** Insertion order is creation order, the order files.list answers in. */
    private final Map<String, StoredFile> files = new LinkedHashMap<>();
    private final String myDriveRoot;
    private long storageQuota = Long.MAX_VALUE;
    private int folderItemLimit = Integer.MAX_VALUE;
    /** Fault mode: a files.list naming several parents answers only with children of the first. */
    private volatile boolean laterParentsDropped;

    FakeState(ObjectMapper json, Path directory) throws IOException {
        this.json = json;
        this.blobs = Files.createDirectories(directory.resolve("blobs"));
        StoredFile root = new StoredFile("0A" + newId().substring(2), Instant.now());
        root.name = "My Drive";
        root.mimeType = DriveV3Fake.FOLDER_MIME_TYPE;
        files.put(root.id, root);
        myDriveRoot = root.id;
    }

    static String newId() {
        StringBuilder b = new StringBuilder("1");
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 32; i++) {
            b.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
        }
        return b.toString();
    }

    String myDriveRoot() {
        return myDriveRoot;
    }

    String resolve(String id) {
        return "root".equals(id) ? myDriveRoot : id;
    }

    void storageQuota(long bytes) {
        synchronized (lock) {
            storageQuota = bytes;
        }
    }

    void laterParentsDropped(boolean dropped) {
        laterParentsDropped = dropped;
    }

    void folderItemLimit(int items) {
        synchronized (lock) {
            folderItemLimit = items;
        }
    }

    /** @throws ApiError 403 numChildrenInNonRootLimitExceeded when {@code folderId} cannot take another item */
    void checkItemLimit(String folderId) {
        synchronized (lock) {
            String id = resolve(folderId);
            if (id.equals(myDriveRoot) || folderItemLimit == Integer.MAX_VALUE) {
                return;
            }
            long children = files.values().stream().filter(f -> f.parents.contains(id)).count();
            if (children >= folderItemLimit) {
                throw new ApiError(DriveFault.folderItemLimitExceeded());
            }
        }
    }

    /** @throws ApiError 403 storageQuotaExceeded when {@code more} bytes would not fit (trash counts, as in Drive) */
    void checkQuota(long more) {
        synchronized (lock) {
            long used = files.values().stream().mapToLong(f -> f.size).sum();
            if (used + more > storageQuota) {
                throw new ApiError(DriveFault.storageQuotaExceeded());
            }
        }
    }

    String createSharedDrive(String name) {
        synchronized (lock) {
            StoredFile drive = new StoredFile("0A" + newId().substring(2, 19), Instant.now());
            drive.name = name;
            drive.mimeType = DriveV3Fake.FOLDER_MIME_TYPE;
            drive.driveId = drive.id;
            files.put(drive.id, drive);
            return drive.id;
        }
    }

    // ---- files.create, files.update, files.delete, files.get ----

    /**
     * Creates a file or folder from request metadata; content, when given, is moved into the store.
     */
    StoredFile create(JsonNode metadata, String defaultMimeType, boolean supportsAllDrives, Path content) {
        String md5 = null;
        long size = 0;
        if (content != null) {
            size = sizeOf(content);
            md5 = md5(content);
        }
        synchronized (lock) {
            List<String> parents = new ArrayList<>();
            metadata.path("parents").forEach(p -> parents.add(resolve(p.asText())));
            if (parents.isEmpty()) {
                parents.add(myDriveRoot);
            }
            if (parents.size() > 1) {
                throw ApiError.badRequest("A shared drive item must have exactly one parent.");
            }
            StoredFile parent = require(parents.get(0), supportsAllDrives);
            if (!parent.isFolder()) {
                throw ApiError.badRequest("The specified parent is not a folder.");
            }
            checkItemLimit(parent.id);
            StoredFile file = new StoredFile(newId(), now());
            file.name = metadata.path("name").asText("Untitled");
            file.mimeType = metadata.hasNonNull("mimeType") ? metadata.get("mimeType").asText() : defaultMimeType;
            file.parents.addAll(parents);
            file.driveId = parent.driveId;
            Map<String, String> properties = file.appProperties(project.get());
            metadata.path("appProperties").fields().forEachRemaining(e -> properties.put(e.getKey(),
                    e.getValue().asText()));
            checkAppProperties(properties);
            if (!file.isFolder()) {
                file.size = size;
                file.md5 = content == null ? md5Of(new byte[0]) : md5;
                file.content = blobs.resolve(file.id);
                try {
                    if (content != null) {
                        Files.move(content, file.content, StandardCopyOption.REPLACE_EXISTING);
                    } else {
                        Files.write(file.content, new byte[0]);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            files.put(file.id, file);
            return file;
        }
    }

    StoredFile update(String id, JsonNode metadata, String addParents, String removeParents,
            boolean supportsAllDrives) {
        synchronized (lock) {
            StoredFile file = require(resolve(id), supportsAllDrives);
            if (metadata.has("name")) {
                file.name = metadata.get("name").asText();
            }
            if (metadata.has("mimeType")) {
                file.mimeType = metadata.get("mimeType").asText();
            }
            if (metadata.has("trashed")) {
                file.trashed = metadata.get("trashed").asBoolean();
            }
            if (metadata.has("appProperties")) {
                Map<String, String> own = file.appProperties(project.get());
                Map<String, String> merged = new LinkedHashMap<>(own);
                metadata.get("appProperties").fields().forEachRemaining(e -> {
                    if (e.getValue().isNull()) {
                        merged.remove(e.getKey());
                    } else {
                        merged.put(e.getKey(), e.getValue().asText());
                    }
                });
                checkAppProperties(merged);
                own.clear();
                own.putAll(merged);
            }
            if (addParents != null && !addParents.isEmpty()) {
                for (String parent : addParents.split(",")) {
                    require(resolve(parent), supportsAllDrives);
                    checkItemLimit(parent);
                    file.parents.add(resolve(parent));
                }
            }
            if (removeParents != null && !removeParents.isEmpty()) {
                for (String parent : removeParents.split(",")) {
                    file.parents.remove(resolve(parent));
                }
            }
            file.version++;
            file.modified = now();
            return file;
        }
    }

    void delete(String id, boolean supportsAllDrives) {
        List<Path> contents = new ArrayList<>();
        synchronized (lock) {
            StoredFile file = require(resolve(id), supportsAllDrives);
            if (file.id.equals(myDriveRoot) || file.id.equals(file.driveId)) {
                throw new ApiError(new DriveFault(403, "global", "insufficientFilePermissions",
                        "The user does not have sufficient permissions for this file."));
            }
            List<String> doomed = new ArrayList<>(List.of(file.id));
            for (int i = 0; i < doomed.size(); i++) {
                String parent = doomed.get(i);
                files.values().stream().filter(f -> f.parents.contains(parent)).forEach(f -> doomed.add(f.id));
            }
            for (String gone : doomed) {
                StoredFile removed = files.remove(gone);
                if (removed != null && removed.content != null) {
                    contents.add(removed.content);
                }
            }
        }
        for (Path content : contents) {
            try {
                Files.deleteIfExists(content);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** @return the file with that id (or alias); 404 when missing or in a shared drive the caller did not opt into */
    StoredFile require(String id, boolean supportsAllDrives) {
        synchronized (lock) {
            StoredFile file = files.get(resolve(id));
            if (file == null || (file.driveId != null && !supportsAllDrives)) {
                throw ApiError.notFound(id);
            }
            return file;
        }
    }

    Optional<StoredFile> find(String id) {
        synchronized (lock) {
            return Optional.ofNullable(files.get(resolve(id)));
        }
    }

    // ---- files.list ----

    ObjectNode list(Map<String, String> params) {
        String corpora = params.getOrDefault("corpora", "user");
        String driveId = params.get("driveId");
        boolean allDrives = "true".equals(params.get("includeItemsFromAllDrives"));
        if (allDrives && !"true".equals(params.get("supportsAllDrives"))) {
            throw ApiError.invalid("The includeItemsFromAllDrives parameter can only be set to true when "
                    + "supportsAllDrives is also set to true.");
        }
        if ("drive".equals(corpora) != (driveId != null)) {
            throw ApiError.invalid("The driveId parameter must be specified if and only if corpora is set to drive.");
        }
        if ("drive".equals(corpora) && !allDrives) {
            throw ApiError.invalid("The includeItemsFromAllDrives parameter must be set to true when corpora is "
                    + "set to drive.");
        }
        int pageSize = parseInt(params.getOrDefault("pageSize", "100"), "pageSize");
        if (pageSize < 1 || pageSize > 1000) {
            throw ApiError.invalid("Invalid value '" + pageSize + "'. Values must be within the range: [1, 1000]");
        }
        int offset = 0;
        if (params.containsKey("pageToken")) {
            try {
                offset = Integer.parseInt(new String(Base64.getUrlDecoder().decode(params.get("pageToken")),
                        StandardCharsets.US_ASCII).substring("offset:".length()));
            } catch (RuntimeException e) {
                throw ApiError.invalid("Invalid Value: pageToken");
            }
        }
        Predicate<Query.Subject> query;
        try {
            query = Query.parse(params.get("q"), this::resolve);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid("Invalid Value: q (" + e.getMessage() + ")");
        }
        List<StoredFile> matches = new ArrayList<>();
        synchronized (lock) {
            List<String> parents = laterParentsDropped ? Query.parentIds(params.get("q"), this::resolve) : List.of();
            for (StoredFile file : files.values()) {
                boolean isRoot = file.id.equals(myDriveRoot) || file.id.equals(file.driveId);
                boolean inCorpus = "drive".equals(corpora) ? driveId.equals(file.driveId)
                        : file.driveId == null || allDrives;
                // the multi-parent fault: still incompleteSearch=false, as Drive answers it
                boolean dropped = parents.size() > 1 && !file.parents.contains(parents.get(0));
                if (!isRoot && inCorpus && !dropped && query.test(subject(file))) {
                    matches.add(file);
                }
            }
            ObjectNode page = json.createObjectNode().put("kind", "drive#fileList").put("incompleteSearch", false);
            int end = Math.min(matches.size(), offset + pageSize);
            if (end < matches.size()) {
                page.put("nextPageToken", Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(("offset:" + end).getBytes(StandardCharsets.US_ASCII)));
            }
            ArrayNode array = page.putArray("files");
            for (StoredFile file : matches.subList(Math.min(offset, matches.size()), end)) {
                array.add(toJson(file));
            }
            return page;
        }
    }

    private Query.Subject subject(StoredFile file) {
        boolean trashed = trashed(file);
        return new Query.Subject() {
            @Override
            public String name() {
                return file.name;
            }

            @Override
            public String mimeType() {
                return file.mimeType;
            }

            @Override
            public boolean trashed() {
                return trashed;
            }

            @Override
            public List<String> parents() {
                return file.parents;
            }

            @Override
            public String appProperty(String key) {
                return file.appProperties(project.get()).get(key);
            }
        };
    }

    // ---- representations ----

    /** The full Drive v3 File resource; callers apply a field mask. int64 fields are JSON strings, as in Drive. */
    ObjectNode toJson(StoredFile file) {
        synchronized (lock) {
            ObjectNode node = json.createObjectNode().put("kind", "drive#file").put("id", file.id)
                    .put("name", file.name).put("mimeType", file.mimeType);
            ArrayNode parents = node.putArray("parents");
            file.parents.forEach(parents::add);
            node.put("trashed", trashed(file)).put("explicitlyTrashed", file.trashed)
                    .put("createdTime", RFC3339.format(file.created))
                    .put("modifiedTime", RFC3339.format(file.modified))
                    .put("version", Long.toString(file.version));
            if (!file.isFolder()) {
                node.put("size", Long.toString(file.size)).put("md5Checksum", file.md5)
                        .put("quotaBytesUsed", Long.toString(file.size));
            }
            Map<String, String> own = file.appProperties(project.get());
            if (!own.isEmpty()) {
                ObjectNode properties = node.putObject("appProperties");
                own.forEach(properties::put);
            }
            if (file.driveId != null) {
                node.put("driveId", file.driveId);
            }
            return node;
        }
    }

    List<DriveFile> snapshot() {
        synchronized (lock) {
            List<DriveFile> all = new ArrayList<>();
            for (StoredFile file : files.values()) {
                if (!file.id.equals(myDriveRoot) && !file.id.equals(file.driveId)) {
                    all.add(file.snapshot(trashed(file)));
                }
            }
            return all;
        }
    }

    Optional<DriveFile> snapshot(String id) {
        synchronized (lock) {
            return find(id).map(f -> f.snapshot(trashed(f)));
        }
    }

    /** Whether the file or a folder above it is trashed. */
    private boolean trashed(StoredFile file) {
        StoredFile current = file;
        for (int depth = 0; current != null && depth < 100; depth++) {
            if (current.trashed) {
                return true;
            }
            current = current.parents.isEmpty() ? null : files.get(current.parents.get(0));
        }
        return false;
    }

    private static void checkAppProperties(Map<String, String> properties) {
        for (Map.Entry<String, String> e : properties.entrySet()) {
            if (e.getKey().getBytes(StandardCharsets.UTF_8).length
                    + e.getValue().getBytes(StandardCharsets.UTF_8).length > 124) {
                throw ApiError.badRequest("The size of a property's key and value must not exceed 124 bytes.");
            }
        }
        if (properties.size() > 30) {
            throw ApiError.badRequest("A file may have at most 30 private properties per app.");
        }
    }

    void corrupt(String id) {
        StoredFile file = find(id).orElseThrow(() -> new IllegalArgumentException("no file " + id));
        if (file.content == null || file.size == 0) {
            throw new IllegalArgumentException(id + " has no content to corrupt");
        }
        flipMiddleByte(file.content);
    }

    static void flipMiddleByte(Path path) {
        try (var channel = java.nio.channels.FileChannel.open(path, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE)) {
            long at = channel.size() / 2;
            java.nio.ByteBuffer one = java.nio.ByteBuffer.allocate(1);
            channel.read(one, at);
            one.put(0, (byte) (one.get(0) ^ 0x5A)).rewind();
            channel.write(one, at);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    static long sizeOf(Path path) {
        try {
            return Files.size(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String md5(Path path) {
        MessageDigest md5 = md5Digest();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(path)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                md5.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HexFormat.of().formatHex(md5.digest());
    }

    static String md5Of(byte[] bytes) {
        return HexFormat.of().formatHex(md5Digest().digest(bytes));
    }

    private static MessageDigest md5Digest() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int parseInt(String value, String name) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw ApiError.invalid("Invalid value for " + name + ": " + value);
        }
    }

    /** Removes everything but the roots; for tests that reuse one fake. */
    void clear() {
        synchronized (lock) {
            for (Iterator<StoredFile> it = files.values().iterator(); it.hasNext(); ) {
                StoredFile file = it.next();
                if (!file.id.equals(myDriveRoot) && !file.id.equals(file.driveId)) {
                    it.remove();
                    if (file.content != null) {
                        try {
                            Files.deleteIfExists(file.content);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }
            }
        }
    }
}
