package io.pgvault.testkit.gdrive;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * An in-JVM HTTP server that implements the part of the Google Drive v3 REST API a backup repository needs, following
 * the published reference, so that the real Google client library can run against it
 * ({@code Drive.Builder#setRootUrl(fake.rootUrl())}):
 * <ul>
 *   <li>{@code files.list} ({@code q} with {@code 'ID' in parents}, {@code name}, {@code mimeType}, {@code trashed},
 *       {@code appProperties has {...}}, {@code and/or/not}; {@code pageSize} up to 1000, {@code pageToken};
 *       {@code corpora=user|drive} with {@code driveId}, {@code includeItemsFromAllDrives}, {@code supportsAllDrives};
 *       as a GET, or, when its URL would pass 2,048 characters, as the Google client sends it: a POST with
 *       {@code X-HTTP-Method-Override: GET} and the parameters as a form body),
 *       {@code files.get} (metadata, or {@code alt=media} with {@code Range}, also under {@code /download/drive/v3/}, where
 *       the Google client fetches content), {@code files.create} (metadata only),
 *       {@code files.update} (PATCH or POST with {@code X-HTTP-Method-Override}: name, trashed, appProperties merge,
 *       addParents/removeParents), {@code files.delete} (204; a folder with everything under it);</li>
 *   <li>uploads: {@code uploadType=media}, {@code multipart} ({@code multipart/related}) and {@code resumable}: the
 *       session URI comes back in {@code Location}; chunks are {@code PUT} with {@code Content-Range: bytes a-b/total}
 *       ({@code /*} while the total is unknown), every chunk but the last a multiple of 256 KiB; {@code bytes *}{@code /N}
 *       queries the status; the answer is 308 with {@code Range: bytes=0-N} until the last byte, then 200 and the
 *       file; {@code DELETE} on the session cancels it (499);</li>
 *   <li>the File resource with {@code size}, {@code version} and {@code quotaBytesUsed} as JSON strings (int64), an
 *       {@code md5Checksum} computed over the bytes received, RFC 3339 times, {@code fields} partial responses;
 *       request bodies in gzip ({@code Content-Encoding: gzip}) as the Google client sends them; errors as
 *       {@code {"error":{"code","message","errors":[{"domain","reason","message"}]}}};</li>
 *   <li>app properties private to the Google Cloud project of the credentials that set them, as Drive keeps them
 *       ("private to the requesting app"): another project's credentials neither see nor match them in
 *       {@code appProperties has {...}} ({@link #registerServiceAccount(String, PublicKey, String)});</li>
 *   <li>{@code POST /token}: the OAuth 2.0 refresh-token grant and the JWT-bearer grant of service accounts (the
 *       assertion's RS256 signature is checked against the registered public key); every Drive request needs a
 *       bearer token it issued, else 401 {@code authError}.</li>
 * </ul>
 * Faults for tests: error answers for the next N requests of an endpoint ({@link #failNext}), connections cut after K
 * bytes of an upload chunk ({@link #cutNextChunk}, keeping what arrived rounded down to 256 KiB), a storage quota
 * ({@link #storageQuota}), a daily upload limit ({@link #dailyUploadLimit}, answered as Drive does, with
 * {@code userRateLimitExceeded}), a per-folder item limit ({@link #folderItemLimit}), roles on shared drives
 * ({@link #grantRole}: a content manager may trash but not delete), revoked credentials
 * ({@link #revokeCredentials}), multi-parent queries that silently miss parents
 * ({@link #incompleteMultiParentSearch}), an upload whose stored bytes differ from those sent ({@link #corruptNextUpload}) and
 * bit rot in a stored file ({@link #corruptContent}). File contents live in a temporary directory, not in memory.
 *
 * @since 0.1.0
 */
public final class DriveV3Fake implements AutoCloseable {
    /**
     * MIME type of folders.
     *
     * @since 0.1.0
     */
    public static final String FOLDER_MIME_TYPE = "application/vnd.google-apps.folder";

    private final Path directory;
    private final HttpServer server;
    private final ExecutorService executor;
    private final FakeState state;
    private final FakeAuth auth;
    private final FakeRequests requests;
    private final String rootUrl;
    private final List<FaultRule> faults = new CopyOnWriteArrayList<>();
    private final Map<DriveEndpoint, AtomicInteger> counts = new EnumMap<>(DriveEndpoint.class);
    private final AtomicBoolean corruptNextUpload = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong dailyUploadLeft = new AtomicLong(Long.MAX_VALUE);
    /** Roles on shared drives: drive id → principal → role. */
    private final Map<String, Map<String, DriveRole>> roles = new ConcurrentHashMap<>();

    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY each request of the Google client
        // waits for a delayed ACK (about 40 ms), which makes a thousand-file pgBackRest set take minutes. Read once,
        // when the first HttpServer of the JVM starts.
        System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
    }

    private DriveV3Fake() throws IOException {
        ObjectMapper json = new ObjectMapper();
        directory = Files.createTempDirectory("pgvault-drive-fake");
        state = new FakeState(json, directory);
        auth = new FakeAuth(json);
        for (DriveEndpoint endpoint : DriveEndpoint.values()) {
            counts.put(endpoint, new AtomicInteger());
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        rootUrl = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        requests = new FakeRequests(this, state, auth, json, directory);
        server.createContext("/", requests);
        AtomicInteger threads = new AtomicInteger();
        executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "drive-fake-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.start();
    }

    /**
     * Starts a fake on a free loopback port, with an empty My Drive.
     *
     * @return the running fake; close it to stop it and delete its files
     * @since 0.1.0
     */
    public static DriveV3Fake start() {
        try {
            return new DriveV3Fake();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Drive fake", e);
        }
    }

    /**
     * @return the root URL to give {@code Drive.Builder#setRootUrl}, e.g. {@code http://127.0.0.1:41234/}
     * @since 0.1.0
     */
    public String rootUrl() {
        return rootUrl;
    }

    /**
     * @return the OAuth 2.0 token endpoint
     * @since 0.1.0
     */
    public URI tokenUri() {
        return URI.create(rootUrl + "token");
    }

    /**
     * @return the id of the My Drive root folder (the alias {@code root} also names it)
     * @since 0.1.0
     */
    public String myDriveRootId() {
        return state.myDriveRoot();
    }

    // ---- credentials ----

    /**
     * Accepts an OAuth client and a refresh token issued to it.
     *
     * @param clientId     client id
     * @param clientSecret client secret
     * @param refreshToken refresh token
     * @since 0.1.0
     */
    public void registerOAuthClient(String clientId, String clientSecret, String refreshToken) {
        registerOAuthClient(clientId, clientSecret, refreshToken, FakeState.DEFAULT_PROJECT);
    }

    /**
     * Like {@link #registerOAuthClient(String, String, String)} for a client of a given Google Cloud project: app
     * properties are private to a project, so files marked by one project's credentials look unmarked to another's.
     *
     * @param clientId     client id
     * @param clientSecret client secret
     * @param refreshToken refresh token
     * @param project      the client's Cloud project (those registered without one share a default project)
     * @since 0.6.0
     */
    public void registerOAuthClient(String clientId, String clientSecret, String refreshToken, String project) {
        auth.registerOAuthClient(clientId, clientSecret, refreshToken, Objects.requireNonNull(project, "project"));
    }

    /**
     * Accepts JWT assertions of a service account signed by the private half of {@code publicKey}.
     *
     * @param clientEmail the account's {@code client_email}
     * @param publicKey   its RSA public key
     * @since 0.1.0
     */
    public void registerServiceAccount(String clientEmail, PublicKey publicKey) {
        registerServiceAccount(clientEmail, publicKey, FakeState.DEFAULT_PROJECT);
    }

    /**
     * Like {@link #registerServiceAccount(String, PublicKey)} for an account of a given Google Cloud project (see
     * {@link #registerOAuthClient(String, String, String, String)}).
     *
     * @param clientEmail the account's {@code client_email}
     * @param publicKey   its RSA public key
     * @param project     the account's Cloud project
     * @since 0.6.0
     */
    public void registerServiceAccount(String clientEmail, PublicKey publicKey, String project) {
        auth.registerServiceAccount(clientEmail, publicKey, Objects.requireNonNull(project, "project"));
    }

    /**
     * Revokes every credential: issued access tokens stop working (401) and the token endpoint answers
     * {@code invalid_grant}.
     *
     * @since 0.1.0
     */
    public void revokeCredentials() {
        auth.revokeAll();
    }

    /**
     * Undoes {@link #revokeCredentials()} for refresh tokens and service accounts (issued tokens stay invalid).
     *
     * @since 0.1.0
     */
    public void restoreCredentials() {
        auth.restore();
    }

    /**
     * Lets every issued access token expire, so that clients must refresh.
     *
     * @since 0.1.0
     */
    public void expireAccessTokens() {
        auth.expireAccessTokens();
    }

    // ---- files ----

    /**
     * @param parentId parent folder id (or {@code root}, or a shared drive id)
     * @param name     folder name
     * @return the new folder's id
     * @since 0.1.0
     */
    public String createFolder(String parentId, String name) {
        StoredFile folder = state.create(new ObjectMapper().createObjectNode().put("name", name)
                        .put("mimeType", FOLDER_MIME_TYPE).set("parents",
                                new ObjectMapper().createArrayNode().add(parentId)), FOLDER_MIME_TYPE, true, null);
        return folder.id;
    }

    /**
     * @param name the shared drive's name
     * @return its id, which is also the id of its root folder
     * @since 0.1.0
     */
    public String createSharedDrive(String name) {
        return state.createSharedDrive(name);
    }

    /**
     * @return every file and folder but the roots, in creation order, trashed ones included
     * @since 0.1.0
     */
    public List<DriveFile> files() {
        return state.snapshot();
    }

    /**
     * @param parentId a folder id
     * @return the files and folders directly in it, trashed ones included
     * @since 0.1.0
     */
    public List<DriveFile> children(String parentId) {
        String id = state.resolve(parentId);
        return files().stream().filter(f -> f.parents().contains(id)).toList();
    }

    /**
     * @param folderId a folder id
     * @return the files and folders anywhere below it, trashed ones included, in creation order
     * @since 0.6.0
     */
    public List<DriveFile> descendants(String folderId) {
        List<DriveFile> all = files();
        java.util.Set<String> inside = new java.util.HashSet<>(List.of(state.resolve(folderId)));
        List<DriveFile> below = new java.util.ArrayList<>();
        for (boolean grew = true; grew; ) {
            grew = false;
            for (DriveFile file : all) {
                if (!inside.contains(file.id()) && file.parents().stream().anyMatch(inside::contains)) {
                    inside.add(file.id());
                    grew = true;
                }
            }
        }
        for (DriveFile file : all) {
            if (inside.contains(file.id())) {
                below.add(file);
            }
        }
        return below;
    }

    /**
     * @param id a file id
     * @return the file, if it exists
     * @since 0.1.0
     */
    public Optional<DriveFile> file(String id) {
        return state.snapshot(id);
    }

    /**
     * @param id a file id
     * @return a stream of its stored bytes
     * @since 0.1.0
     */
    public InputStream openContent(String id) {
        StoredFile file = state.find(id).orElseThrow(() -> new IllegalArgumentException("no file " + id));
        try {
            return Files.newInputStream(file.content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Deletes every file and folder but the roots.
     *
     * @since 0.1.0
     */
    public void clear() {
        state.clear();
    }

    /**
     * @return resumable upload sessions neither finished nor cancelled
     * @since 0.1.0
     */
    public int openUploadSessions() {
        return requests.openSessions();
    }

    /**
     * The bytes each open resumable upload session (neither finished nor cancelled) holds so far, as a status query
     * would report them: a client killed mid-upload leaves such a session behind, holding part of an object and no
     * visible file. A chunk being received counts once it has arrived.
     *
     * @return bytes received, by upload id (the {@code upload_id} of the session URI)
     * @since 0.1.0
     */
    public Map<String, Long> openUploadSessionBytes() {
        return requests.openSessionBytes();
    }

    // ---- faults ----

    /**
     * Answers the next {@code times} requests to {@code endpoint} with {@code fault}.
     *
     * @param endpoint which requests
     * @param times    how many
     * @param fault    the error answer
     * @since 0.1.0
     */
    public void failNext(DriveEndpoint endpoint, int times, DriveFault fault) {
        faults.add(new FaultRule(endpoint, null, new AtomicInteger(times), fault, -1));
    }

    /**
     * Answers the next {@code times} requests to {@code endpoint} about one file ({@code /drive/v3/files/ID}, e.g.
     * {@code files.delete} or {@code files.update} of it) with {@code fault}; requests about other files are served.
     *
     * @param endpoint which requests
     * @param fileId   the file they are about
     * @param times    how many
     * @param fault    the error answer
     * @since 0.6.0
     */
    public void failNext(DriveEndpoint endpoint, String fileId, int times, DriveFault fault) {
        faults.add(new FaultRule(endpoint, Objects.requireNonNull(fileId, "fileId"), new AtomicInteger(times), fault,
                -1));
    }

    /**
     * Cuts the connection of the next {@code times} upload chunks after {@code afterBytes} bytes of their body; the
     * session keeps what arrived, rounded down to a multiple of 256 KiB.
     *
     * @param times      how many chunks
     * @param afterBytes bytes of each chunk read before the cut
     * @since 0.1.0
     */
    public void cutNextChunk(int times, long afterBytes) {
        faults.add(new FaultRule(DriveEndpoint.UPLOAD_CHUNK, null, new AtomicInteger(times), null, afterBytes));
    }

    /**
     * Removes every pending fault, and ends {@link #incompleteMultiParentSearch} mode.
     *
     * @since 0.1.0
     */
    public void clearFaults() {
        faults.clear();
        state.laterParentsDropped(false);
    }

    /**
     * Makes every {@code files.list} whose {@code q} names several parents ({@code 'A' in parents or 'B' in parents},
     * however combined) answer with only the matching children of the first parent named, still saying
     * {@code "incompleteSearch": false}: what Drive has been seen to do with such queries, all of the time for some
     * folders and some of the time for others (rclone issues 3114, 4289 and 9810: whole parents silently missing from
     * the answer). A query naming one parent is answered in full. {@link #clearFaults()} ends the mode.
     *
     * @param enabled whether multi-parent queries lose the children of every parent after the first
     * @since 0.6.0
     */
    public void incompleteMultiParentSearch(boolean enabled) {
        state.laterParentsDropped(enabled);
    }

    /**
     * @param bytes total bytes all files may occupy (trash included); beyond it uploads fail with 403
     *              {@code storageQuotaExceeded}. {@code Long.MAX_VALUE} lifts the limit
     * @since 0.1.0
     */
    public void storageQuota(long bytes) {
        state.storageQuota(bytes);
    }

    /**
     * Drive's daily upload limit (750 GB a user may upload in 24 hours). Beyond it, every upload request that carries
     * new bytes fails as Drive fails it: 403 {@code userRateLimitExceeded} "User rate limit exceeded." (see
     * {@link DriveFault#uploadLimitExceeded()}), the reason of a plain rate limit, until the limit is lifted.
     *
     * @param bytes bytes that may still be uploaded; {@code Long.MAX_VALUE} lifts the limit
     * @since 0.1.0
     */
    public void dailyUploadLimit(long bytes) {
        dailyUploadLeft.set(bytes);
    }

    /**
     * Limits how many items (files and folders, trashed ones included) a folder other than My Drive's root may hold,
     * as Drive does at 500,000: creating or moving an item into a full folder fails with 403
     * {@code numChildrenInNonRootLimitExceeded}.
     *
     * @param items the most items per folder; {@code Integer.MAX_VALUE} lifts the limit
     * @since 0.6.0
     */
    public void folderItemLimit(int items) {
        state.folderItemLimit(items);
    }

    /**
     * Gives a credential a role on a shared drive. A credential given no role on a shared drive is its
     * {@link DriveRole#ORGANIZER} (manager), so that tests that do not care about roles need no set-up. A
     * {@link DriveRole#FILE_ORGANIZER} (content manager) is refused {@code files.delete} with 403
     * {@code insufficientFilePermissions} but may move items to the trash, as on Drive.
     *
     * @param sharedDriveId the shared drive
     * @param principal     the OAuth client id or the service account's {@code client_email} the credential signs in
     *                      with
     * @param role          its role there
     * @since 0.6.0
     */
    public void grantRole(String sharedDriveId, String principal, DriveRole role) {
        roles.computeIfAbsent(sharedDriveId, d -> new ConcurrentHashMap<>()).put(principal, role);
    }

    /**
     * Makes the next completed upload store bytes that differ from those sent (one byte flipped before the
     * {@code md5Checksum} is computed), as a corrupting transfer would.
     *
     * @since 0.1.0
     */
    public void corruptNextUpload() {
        corruptNextUpload.set(true);
    }

    /**
     * Flips one byte of a stored file, leaving its {@code md5Checksum} and size as they were: bit rot.
     *
     * @param fileId the file
     * @since 0.1.0
     */
    public void corruptContent(String fileId) {
        state.corrupt(fileId);
    }

    /**
     * @param endpoint an endpoint
     * @return how many requests it received so far, failed ones included
     * @since 0.1.0
     */
    public int requests(DriveEndpoint endpoint) {
        return counts.get(endpoint).get();
    }

    /** Stops the server and deletes the stored contents. */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        server.stop(0);
        executor.shutdownNow();
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- for FakeRequests ----

    /** A pending fault: an error answer, or a cut after {@code cutAfterBytes} (when {@code fault} is null). */
    record FaultRule(DriveEndpoint endpoint, String fileId, AtomicInteger remaining, DriveFault fault,
                     long cutAfterBytes) {
    }

    void countRequest(DriveEndpoint endpoint) {
        counts.get(endpoint).incrementAndGet();
    }

    FaultRule takeFault(DriveEndpoint endpoint, String fileId) {
        for (FaultRule rule : faults) {
            if (rule.endpoint() == endpoint && (rule.fileId() == null || rule.fileId().equals(fileId))
                    && rule.remaining().getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return rule;
            }
        }
        return null;
    }

    boolean takeCorruptUpload() {
        return corruptNextUpload.getAndSet(false);
    }

    void checkUploadLimits(long bytes) {
        if (dailyUploadLeft.getAndUpdate(left -> left >= bytes ? left - bytes : left) < bytes) {
            throw new ApiError(DriveFault.uploadLimitExceeded());
        }
    }

    /**
     * @throws ApiError 403 insufficientFilePermissions when {@code principal} has a role below {@code needed} on the
     *                  shared drive holding {@code file} (items of My Drive are not checked)
     */
    void checkRole(StoredFile file, String principal, DriveRole needed) {
        if (file.driveId == null) {
            return;
        }
        DriveRole role = roles.getOrDefault(file.driveId, Map.of()).getOrDefault(principal, DriveRole.ORGANIZER);
        if (!role.includes(needed)) {
            throw new ApiError(DriveFault.insufficientFilePermissions(file.id));
        }
    }

    @Override
    public String toString() {
        return "DriveV3Fake[" + rootUrl + "]";
    }
}
