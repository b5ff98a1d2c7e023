package io.pgvault.testkit.gdrive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/** Parses HTTP requests into Drive v3 operations on {@link FakeState} and writes Drive-shaped responses. */
final class FakeRequests implements HttpHandler {
    /** Resumable chunks other than the last must be multiples of this (Drive's documented granularity). */
    static final int CHUNK_GRANULARITY = 256 * 1024;

    private static final Pattern FILE_PATH = Pattern.compile("/drive/v3/files/([^/]+)");
    /** Where the Google client fetches content ({@code alt=media}): the download root, as googleapis.com serves it. */
    private static final Pattern DOWNLOAD_PATH = Pattern.compile("/download/drive/v3/files/([^/]+)");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\*|(\\d+)-(\\d+))/(\\*|\\d+)");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");
    private static final String DEFAULT_GET_FIELDS = "kind,id,name,mimeType";
    private static final String DEFAULT_LIST_FIELDS = "kind,incompleteSearch,nextPageToken,files(kind,id,name,mimeType)";

    private final DriveV3Fake fake;
    private final FakeState state;
    private final FakeAuth auth;
    private final ObjectMapper json;
    private final Path sessionsDirectory;
    private final Map<String, UploadSession> sessions = new ConcurrentHashMap<>();

    FakeRequests(DriveV3Fake fake, FakeState state, FakeAuth auth, ObjectMapper json, Path directory)
            throws IOException {
        this.fake = fake;
        this.state = state;
        this.auth = auth;
        this.json = json;
        this.sessionsDirectory = Files.createDirectories(directory.resolve("sessions"));
    }

    int openSessions() {
        return (int) sessions.values().stream().filter(UploadSession::open).count();
    }

    /** Bytes held by each open session, by upload id; waits for a chunk being received to end. */
    Map<String, Long> openSessionBytes() {
        Map<String, Long> bytes = new LinkedHashMap<>();
        for (UploadSession session : sessions.values()) {
            synchronized (session) {
                if (session.open()) {
                    bytes.put(session.id, session.received);
                }
            }
        }
        return Map.copyOf(bytes);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            dispatch(exchange);
        } catch (ApiError e) {
            drain(exchange);
            sendError(exchange, e.fault);
        } catch (CutConnection e) {
            // close without answering: the client sees the connection drop mid-request
        } catch (RuntimeException | IOException e) {
            // a bug of the fake, or a broken connection: say so where a test's output shows it
            System.err.println("DriveV3Fake: " + exchange.getRequestMethod() + " " + exchange.getRequestURI()
                    + " failed: " + e);
            e.printStackTrace();
            drain(exchange);
            sendError(exchange, new DriveFault(500, "global", "internalError", "Internal Error: " + e));
        } finally {
            exchange.close();
        }
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String override = exchange.getRequestHeaders().getFirst("X-HTTP-Method-Override");
        if (method.equals("POST") && override != null) {
            method = override.toUpperCase(Locale.ROOT);
        }
        String path = exchange.getRequestURI().getRawPath();
        Map<String, String> params = query(exchange.getRequestURI().getRawQuery());
        if (method.equals("GET") && override != null) {
            // a GET whose URL would pass 2,048 characters: Google's clients POST it with the parameters as a form body
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
                params.putAll(query(new String(body(exchange).readAllBytes(), StandardCharsets.UTF_8)));
            }
        }
        DriveEndpoint endpoint = endpoint(method, path, params);
        fake.countRequest(endpoint);
        Matcher about = FILE_PATH.matcher(path);
        DriveV3Fake.FaultRule fault = fake.takeFault(endpoint,
                about.matches() ? URLDecoder.decode(about.group(1), StandardCharsets.UTF_8) : null);
        if (fault != null && fault.fault() != null) {
            throw new ApiError(fault.fault());
        }
        if (endpoint != DriveEndpoint.TOKEN && endpoint != DriveEndpoint.UPLOAD_CHUNK
                && !auth.accepts(exchange.getRequestHeaders().getFirst("Authorization"))) {
            drain(exchange);
            exchange.getResponseHeaders().add("WWW-Authenticate",
                    "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"");
            sendError(exchange, new DriveFault(401, "global", "authError", "Invalid Credentials"));
            return;
        }
        boolean allDrives = "true".equals(params.get("supportsAllDrives"));
        String principal = auth.principal(exchange.getRequestHeaders().getFirst("Authorization"));
        state.beginRequest(auth.projectOf(principal));
        try {
            serve(exchange, endpoint, params, path, allDrives, principal, fault);
        } finally {
            state.endRequest();
        }
    }

    private void serve(HttpExchange exchange, DriveEndpoint endpoint, Map<String, String> params, String path,
            boolean allDrives, String principal, DriveV3Fake.FaultRule fault) throws IOException {
        switch (endpoint) {
            case TOKEN -> token(exchange);
            case LIST -> sendJson(exchange, 200, masked(state.list(params), params.getOrDefault("fields",
                    DEFAULT_LIST_FIELDS)));
            case GET -> sendJson(exchange, 200, masked(state.toJson(state.require(fileId(path), allDrives)),
                    params.getOrDefault("fields", DEFAULT_GET_FIELDS)));
            case DOWNLOAD -> download(exchange, state.require(fileId(path), allDrives));
            case CREATE -> {
                JsonNode metadata = jsonBody(exchange);
                checkParents(metadata, principal, allDrives);
                sendJson(exchange, 200, masked(state.toJson(state.create(metadata, "application/octet-stream",
                        allDrives, null)), params.getOrDefault("fields", DEFAULT_GET_FIELDS)));
            }
            case UPDATE -> {
                JsonNode metadata = jsonBody(exchange);
                StoredFile target = state.require(fileId(path), allDrives);
                boolean moves = params.get("addParents") != null || params.get("removeParents") != null;
                // trashing and moving within a shared drive need a content manager; a contributor may only edit
                fake.checkRole(target, principal, metadata.has("trashed") || moves ? DriveRole.FILE_ORGANIZER
                        : DriveRole.WRITER);
                sendJson(exchange, 200, masked(state.toJson(state.update(fileId(path), metadata,
                        params.get("addParents"), params.get("removeParents"), allDrives)),
                        params.getOrDefault("fields", DEFAULT_GET_FIELDS)));
            }
            case DELETE -> {
                if (path.startsWith("/upload/")) {
                    cancelSession(exchange, params);
                } else {
                    // files.delete: "If the file belongs to a shared drive, the user must be an organizer"
                    fake.checkRole(state.require(fileId(path), allDrives), principal, DriveRole.ORGANIZER);
                    state.delete(fileId(path), allDrives);
                    exchange.sendResponseHeaders(204, -1);
                }
            }
            case UPLOAD -> simpleUpload(exchange, params, allDrives, principal);
            case UPLOAD_START -> startSession(exchange, params, allDrives, principal);
            case UPLOAD_CHUNK -> chunk(exchange, params, fault);
            default -> throw new IllegalStateException(endpoint.toString());
        }
    }

    private static DriveEndpoint endpoint(String method, String path, Map<String, String> params) {
        if (path.equals("/token") && method.equals("POST")) {
            return DriveEndpoint.TOKEN;
        }
        if (path.equals("/drive/v3/files")) {
            switch (method) {
                case "GET":
                    return DriveEndpoint.LIST;
                case "POST":
                    return DriveEndpoint.CREATE;
                default:
                    break;
            }
        }
        if (DOWNLOAD_PATH.matcher(path).matches() && method.equals("GET") && "media".equals(params.get("alt"))) {
            return DriveEndpoint.DOWNLOAD;
        }
        if (FILE_PATH.matcher(path).matches()) {
            switch (method) {
                case "GET":
                    return "media".equals(params.get("alt")) ? DriveEndpoint.DOWNLOAD : DriveEndpoint.GET;
                case "PATCH":
                    return DriveEndpoint.UPDATE;
                case "DELETE":
                    return DriveEndpoint.DELETE;
                default:
                    break;
            }
        }
        if (path.equals("/upload/drive/v3/files")) {
            String type = params.getOrDefault("uploadType", "media");
            if (method.equals("POST")) {
                return type.equals("resumable") ? DriveEndpoint.UPLOAD_START : DriveEndpoint.UPLOAD;
            }
            if (method.equals("PUT") && params.containsKey("upload_id")) {
                return DriveEndpoint.UPLOAD_CHUNK;
            }
            if (method.equals("DELETE") && params.containsKey("upload_id")) {
                return DriveEndpoint.DELETE;
            }
        }
        throw new ApiError(new DriveFault(404, "global", "notFound", "Not Found: " + method + " " + path));
    }

    // ---- token ----

    private void token(HttpExchange exchange) throws IOException {
        FakeAuth.Answer answer = auth.token(query(new String(body(exchange).readAllBytes(),
                StandardCharsets.UTF_8)));
        sendJson(exchange, answer.status(), answer.body());
    }

    // ---- downloads ----

    private void download(HttpExchange exchange, StoredFile file) throws IOException {
        if (file.isFolder()) {
            throw new ApiError(new DriveFault(403, "global", "fileNotDownloadable",
                    "Only files with binary content can be downloaded. Use Export with Docs Editors files."));
        }
        long size = file.size;
        long from = 0;
        long to = size - 1;
        int status = 200;
        String range = exchange.getRequestHeaders().getFirst("Range");
        if (range != null) {
            Matcher m = RANGE.matcher(range);
            if (m.matches() && Long.parseLong(m.group(1)) < size) {
                from = Long.parseLong(m.group(1));
                to = m.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(m.group(2)));
                status = 206;
                exchange.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + to + "/" + size);
            } else if (m.matches()) {
                exchange.getResponseHeaders().add("Content-Range", "bytes */" + size);
                throw new ApiError(new DriveFault(416, "global", "requestedRangeNotSatisfiable",
                        "Request range not satisfiable"));
            }
        }
        exchange.getResponseHeaders().add("Content-Type", file.mimeType);
        long length = to - from + 1;
        exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
        if (length > 0) {
            try (InputStream in = Files.newInputStream(file.content); OutputStream out = exchange.getResponseBody()) {
                in.skipNBytes(from);
                byte[] buffer = new byte[1 << 16];
                for (long left = length; left > 0; ) {
                    int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                    if (n < 0) {
                        break;
                    }
                    out.write(buffer, 0, n);
                    left -= n;
                }
            }
        }
    }

    // ---- one-request uploads (multipart, media) ----

    /** A contributor or more may add items to a shared drive's folders. */
    private void checkParents(JsonNode metadata, String principal, boolean allDrives) {
        for (JsonNode parent : metadata.path("parents")) {
            fake.checkRole(state.require(parent.asText(), allDrives), principal, DriveRole.WRITER);
        }
    }

    private void simpleUpload(HttpExchange exchange, Map<String, String> params, boolean allDrives,
            String principal) throws IOException {
        String type = params.getOrDefault("uploadType", "media");
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        byte[] body = body(exchange).readAllBytes();
        JsonNode metadata = json.createObjectNode();
        byte[] media = body;
        String mediaType = contentType == null ? "application/octet-stream" : contentType;
        if (type.equals("multipart")) {
            Multipart parts = Multipart.parse(contentType, body);
            metadata = json.readTree(parts.metadata());
            media = parts.media();
            mediaType = parts.mediaType();
        } else if (!type.equals("media")) {
            throw ApiError.invalid("Invalid value for uploadType: " + type);
        }
        checkParents(metadata, principal, allDrives);
        fake.checkUploadLimits(media.length);
        state.checkQuota(media.length);
        Path data = Files.createTempFile(sessionsDirectory, "upload", ".bin");
        if (fake.takeCorruptUpload() && media.length > 0) {
            media[media.length / 2] ^= 0x5A;
        }
        Files.write(data, media);
        StoredFile file = state.create(metadata, mediaType, allDrives, data);
        sendJson(exchange, 200, masked(state.toJson(file), params.getOrDefault("fields", DEFAULT_GET_FIELDS)));
    }

    // ---- resumable uploads ----

    private void startSession(HttpExchange exchange, Map<String, String> params, boolean allDrives,
            String principal) throws IOException {
        JsonNode metadata = jsonBody(exchange);
        for (JsonNode parent : metadata.path("parents")) {
            StoredFile folder = state.require(parent.asText(), allDrives);
            if (!folder.isFolder()) {
                throw ApiError.badRequest("The specified parent is not a folder.");
            }
            fake.checkRole(folder, principal, DriveRole.WRITER);
            state.checkItemLimit(folder.id);
        }
        String declared = exchange.getRequestHeaders().getFirst("X-Upload-Content-Length");
        if (declared != null) {
            state.checkQuota(Long.parseLong(declared));
        }
        String contentType = exchange.getRequestHeaders().getFirst("X-Upload-Content-Type");
        String id = FakeState.newId();
        UploadSession session = new UploadSession(id, metadata,
                contentType == null ? "application/octet-stream" : contentType, params.get("fields"), allDrives,
                sessionsDirectory.resolve(id));
        Files.write(session.data, new byte[0]);
        session.project = state.project();
        if (declared != null) {
            session.total = Long.parseLong(declared);
        }
        sessions.put(id, session);
        exchange.getResponseHeaders().add("Location", fake.rootUrl() + "upload/drive/v3/files?uploadType=resumable"
                + "&upload_id=" + id);
        exchange.sendResponseHeaders(200, -1);
    }

    private void cancelSession(HttpExchange exchange, Map<String, String> params) throws IOException {
        UploadSession session = sessions.get(params.get("upload_id"));
        if (session == null) {
            throw ApiError.notFound(params.get("upload_id"));
        }
        synchronized (session) {
            if (session.open()) {
                session.cancelled = true;
                Files.deleteIfExists(session.data);
            }
        }
        // Drive answers a cancelled session with 499 Client Closed Request
        sendJson(exchange, 499, json.createObjectNode());
    }

    private void chunk(HttpExchange exchange, Map<String, String> params, DriveV3Fake.FaultRule fault)
            throws IOException {
        UploadSession session = sessions.get(params.get("upload_id"));
        if (session == null || session.cancelled) {
            throw ApiError.notFound("upload session " + params.get("upload_id"));
        }
        synchronized (session) {
            if (session.fileId != null) {
                drain(exchange);
                sendFinal(exchange, session);
                return;
            }
            // The body's length after decoding: the Google uploader gzips chunks and sends them chunked, so the
            // Content-Range, not the Content-Length, says how many bytes a chunk holds.
            String rangeHeader = exchange.getRequestHeaders().getFirst("Content-Range");
            long length;
            long first;
            long total;
            if (rangeHeader == null) {
                length = contentLength(exchange);
                if (isGzip(exchange)) {
                    throw ApiError.badRequest("A gzip-encoded upload needs a Content-Range.");
                }
                first = 0;
                total = length;
            } else {
                Matcher m = CONTENT_RANGE.matcher(rangeHeader.trim());
                if (!m.matches()) {
                    throw ApiError.badRequest("Failed to parse Content-Range header.");
                }
                total = m.group(4).equals("*") ? -1 : Long.parseLong(m.group(4));
                if (m.group(2) == null) {
                    length = 0;
                    first = session.received;
                } else {
                    first = Long.parseLong(m.group(2));
                    length = Long.parseLong(m.group(3)) - first + 1;
                    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
                    if (declared != null && !isGzip(exchange) && Long.parseLong(declared) != length) {
                        throw ApiError.badRequest("Content-Range does not match the Content-Length of " + declared);
                    }
                }
            }
            if (total >= 0 && session.total >= 0 && total != session.total) {
                throw ApiError.badRequest("The total size changed from " + session.total + " to " + total);
            }
            if (first > session.received) {
                throw ApiError.badRequest("Invalid request. According to the Content-Range header, the upload offset "
                        + "is " + first + " byte(s), which exceeds already uploaded size of " + session.received
                        + " byte(s).");
            }
            boolean last = total >= 0 && first + length >= total;
            if (!last && length % CHUNK_GRANULARITY != 0) {
                throw ApiError.badRequest("Invalid request. The number of bytes uploaded is required to be a multiple "
                        + "of 262144, except for the final request. The received request contained " + length
                        + " bytes, which does not meet this requirement.");
            }
            long fresh = Math.max(0, first + length - session.received);
            if (fresh > 0) {
                fake.checkUploadLimits(fresh);
                state.checkQuota(session.received + fresh);
            }
            receive(exchange, session, first, length, fault);
            if (total >= 0) {
                session.total = total;
            }
            if (session.total >= 0 && session.received == session.total) {
                finish(session);
                sendFinal(exchange, session);
                return;
            }
            if (session.total >= 0 && session.received > session.total) {
                throw ApiError.badRequest("More bytes were sent than the declared total " + session.total);
            }
            if (session.received > 0) {
                exchange.getResponseHeaders().add("Range", "bytes=0-" + (session.received - 1));
            }
            exchange.sendResponseHeaders(308, -1);
        }
    }

    /** Appends the new bytes of a chunk; on a cut, keeps what arrived rounded down to 256 KiB, as Drive may. */
    private void receive(HttpExchange exchange, UploadSession session, long first, long length,
            DriveV3Fake.FaultRule fault) throws IOException {
        long cutAfter = fault != null && fault.cutAfterBytes() >= 0 ? fault.cutAfterBytes() : Long.MAX_VALUE;
        long skip = session.received - first;
        try (InputStream in = body(exchange);
             FileChannel channel = FileChannel.open(session.data, StandardOpenOption.WRITE)) {
            byte[] buffer = new byte[1 << 16];
            long read = 0;
            long position = session.received;
            while (read < length) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, Math.min(length - read, cutAfter - read)));
                if (n < 0) {
                    throw ApiError.badRequest("The request body ended after " + read + " of " + length + " bytes.");
                }
                int offset = (int) Math.max(0, Math.min(n, skip - read));
                if (n > offset) {
                    channel.write(ByteBuffer.wrap(buffer, offset, n - offset), position);
                    position += n - offset;
                }
                read += n;
                if (read >= cutAfter) {
                    long kept = session.received + (position - session.received)
                            / CHUNK_GRANULARITY * CHUNK_GRANULARITY;
                    channel.truncate(kept);
                    session.received = kept;
                    throw new CutConnection();
                }
            }
            session.received = position;
            if (in.read() >= 0) {
                throw ApiError.badRequest("The request body is longer than its Content-Range says.");
            }
        }
    }

    private void finish(UploadSession session) throws IOException {
        if (session.received > 0 && fake.takeCorruptUpload()) {
            FakeState.flipMiddleByte(session.data);
        }
        // chunks carry no credentials of their own (the session URI is the authority): the file is the session's
        state.beginRequest(session.project);
        StoredFile file = state.create(session.metadata, session.contentType, session.supportsAllDrives,
                session.data);
        session.fileId = file.id;
    }

    private void sendFinal(HttpExchange exchange, UploadSession session) throws IOException {
        state.beginRequest(session.project);
        StoredFile file = state.find(session.fileId).orElseThrow(() -> ApiError.notFound(session.fileId));
        sendJson(exchange, 200, masked(state.toJson(file), session.fields == null ? DEFAULT_GET_FIELDS
                : session.fields));
    }

    // ---- plumbing ----

    private static long contentLength(HttpExchange exchange) {
        String value = exchange.getRequestHeaders().getFirst("Content-Length");
        if (value == null) {
            throw new ApiError(new DriveFault(411, "global", "lengthRequired", "Length Required"));
        }
        return Long.parseLong(value);
    }

    private JsonNode masked(JsonNode node, String fields) {
        try {
            FieldMask.parse(fields).apply(node);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(e.getMessage());
        }
        return node;
    }

    private JsonNode jsonBody(HttpExchange exchange) throws IOException {
        byte[] bytes = body(exchange).readAllBytes();
        if (bytes.length == 0) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(bytes);
        } catch (IOException e) {
            throw ApiError.badRequest("Invalid JSON payload received. " + e.getMessage());
        }
    }

    private static boolean isGzip(HttpExchange exchange) {
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        return encoding != null && encoding.equalsIgnoreCase("gzip");
    }

    /** The request body, gunzipped when the client sent {@code Content-Encoding: gzip} (the Google client does). */
    private static InputStream body(HttpExchange exchange) throws IOException {
        InputStream in = exchange.getRequestBody();
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        return encoding != null && encoding.equalsIgnoreCase("gzip") ? new GZIPInputStream(in) : in;
    }

    private static void drain(HttpExchange exchange) {
        try {
            exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the connection is gone; the response will fail too
        }
    }

    private void sendError(HttpExchange exchange, DriveFault fault) throws IOException {
        ObjectNode body = json.createObjectNode();
        ObjectNode error = body.putObject("error").put("code", fault.status()).put("message", fault.message());
        ObjectNode detail = error.putArray("errors").addObject().put("message", fault.message())
                .put("domain", fault.domain()).put("reason", fault.reason());
        if (fault.status() == 401) {
            detail.put("location", "Authorization").put("locationType", "header");
            error.put("status", "UNAUTHENTICATED");
        }
        sendJson(exchange, fault.status(), body);
    }

    private void sendJson(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String fileId(String path) {
        Matcher m = path.startsWith("/download/") ? DOWNLOAD_PATH.matcher(path) : FILE_PATH.matcher(path);
        if (!m.matches()) {
            throw ApiError.notFound(path);
        }
        return URLDecoder.decode(m.group(1), StandardCharsets.UTF_8);
    }

    static Map<String, String> query(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(name, value);
        }
        return params;
    }

    /** Ends a request without an answer. */
    private static final class CutConnection extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CutConnection() {
            super("connection cut", null, false, false);
        }
    }

    /** A {@code multipart/related} body: JSON metadata, then the media. */
    private record Multipart(byte[] metadata, String mediaType, byte[] media) {
        static Multipart parse(String contentType, byte[] body) {
            Matcher m = Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(contentType == null ? "" : contentType);
            if (!m.find()) {
                throw ApiError.badRequest("Missing multipart boundary.");
            }
            byte[] delimiter = ("--" + m.group(1)).getBytes(StandardCharsets.US_ASCII);
            int[] starts = new int[3];
            int found = 0;
            for (int i = 0; i + delimiter.length <= body.length && found < 3; i++) {
                if ((i == 0 || body[i - 1] == '\n') && Arrays.equals(body, i, i + delimiter.length, delimiter, 0,
                        delimiter.length)) {
                    starts[found++] = i;
                    i += delimiter.length - 1;
                }
            }
            if (found < 3) {
                throw ApiError.badRequest("A multipart upload needs a metadata part and a media part.");
            }
            Part meta = Part.of(body, starts[0] + delimiter.length, starts[1]);
            Part media = Part.of(body, starts[1] + delimiter.length, starts[2]);
            return new Multipart(meta.body(), media.type(), media.body());
        }
    }

    private record Part(String type, byte[] body) {
        static Part of(byte[] all, int from, int to) {
            String text = new String(all, from, to - from, StandardCharsets.ISO_8859_1);
            int headersEnd = text.indexOf("\r\n\r\n");
            if (headersEnd < 0) {
                throw ApiError.badRequest("Malformed multipart part.");
            }
            String type = "application/octet-stream";
            for (String line : text.substring(0, headersEnd).split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-type:")) {
                    type = line.substring("content-type:".length()).trim();
                }
            }
            int bodyStart = from + headersEnd + 4;
            int bodyEnd = to;
            if (bodyEnd >= 2 && all[bodyEnd - 1] == '\n' && all[bodyEnd - 2] == '\r') {
                bodyEnd -= 2;
            }
            return new Part(type, Arrays.copyOfRange(all, bodyStart, Math.max(bodyStart, bodyEnd)));
        }
    }
}
