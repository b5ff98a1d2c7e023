package io.pgvault.storage.s3;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pgvault.api.Secret;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An S3 bucket on loopback (path-style, plain HTTP) that speaks just enough S3 for the SDK and models archive storage
 * classes as AWS documents them (API reference: GetObject, HeadObject, RestoreObject; "Working with archived objects"):
 * <ul>
 *   <li>HeadObject answers {@code x-amz-storage-class} for every class but STANDARD, and {@code x-amz-restore}:
 *       {@code ongoing-request="true"} while a restore runs, {@code ongoing-request="false", expiry-date="<RFC 1123>"}
 *       once the restored copy is readable; no header when never restored.</li>
 *   <li>GetObject of a GLACIER or DEEP_ARCHIVE object without a restored copy: 403 {@code InvalidObjectState} with
 *       its {@code StorageClass}; GLACIER_IR and the other classes read directly.</li>
 *   <li>RestoreObject ({@code POST /bucket/key?restore}, a {@code RestoreRequest} with {@code Days} and
 *       {@code GlacierJobParameters/Tier}): 202 Accepted when it starts a restore, 200 OK when a restored copy exists
 *       (its expiry is moved), 409 {@code RestoreAlreadyInProgress} while one runs, 403 {@code InvalidObjectState}
 *       for an object not in GLACIER or DEEP_ARCHIVE.</li>
 * </ul>
 * A restore completes at the {@code restoreAfterHeads}-th HeadObject of the object after it was started: "objects
 * become readable after N polls". Every request is recorded. Two departures can be switched on: HeadObjects of an
 * object that fail with a status (S3's 503 SlowDown, after the SDK gave up retrying: a HEAD answer has no body), and a
 * store that keeps the restore state but never sends {@code x-amz-restore} (as some S3-compatible stores do).
 */
final class ArchiveStub implements AutoCloseable {
    static final String BUCKET = "cold";
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;
    private static final Pattern DAYS = Pattern.compile("<Days>(\\d+)</Days>");
    private static final Pattern TIER = Pattern.compile("<Tier>(\\w+)</Tier>");

    /** One object; restore state guarded by the object's monitor. */
    private static final class Stored {
        final byte[] bytes;
        final String storageClass;
        final int restoreAfterHeads;
        boolean ongoing;
        int headsWhileOngoing;
        ZonedDateTime expiry; // non-null once a restored copy exists
        Runnable afterNextHead;
        int heads; // every HeadObject of the object, failed ones included
        int failHeadsFrom;
        int failHeadsTo = -1;

        Stored(byte[] bytes, String storageClass, int restoreAfterHeads) {
            this.bytes = bytes;
            this.storageClass = storageClass;
            this.restoreAfterHeads = restoreAfterHeads;
        }

        boolean archived() {
            return "GLACIER".equals(storageClass) || "DEEP_ARCHIVE".equals(storageClass);
        }
    }

    /** A RestoreObject request as received. */
    record RestoreCall(String key, int status, String tier, int days) {
    }

    private final HttpServer server;
    private final Map<String, Stored> objects = new ConcurrentHashMap<>();
    private final List<String> requests = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<RestoreCall> restores = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile boolean reportsRestore = true;

    ArchiveStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Stores an object in a storage class; an archived one is restored at the n-th HeadObject after its request. */
    ArchiveStub put(String key, byte[] bytes, String storageClass, int restoreAfterHeads) {
        objects.put(key, new Stored(bytes, storageClass, restoreAfterHeads));
        return this;
    }

    /** Starts a restore as another client would (what a RestoreObject answered 202 does). */
    void startRestore(String key) {
        Stored o = objects.get(key);
        synchronized (o) {
            o.ongoing = true;
            o.headsWhileOngoing = 0;
        }
    }

    /** Finishes a restore now, as S3 does hours later. */
    void finishRestore(String key) {
        Stored o = objects.get(key);
        synchronized (o) {
            o.ongoing = false;
            o.expiry = ZonedDateTime.now(ZoneOffset.UTC).plusDays(3).withNano(0);
        }
    }

    /** Finishes a restore now with a restored copy that expires after {@code life} (another client's short Days). */
    void finishRestore(String key, java.time.Duration life) {
        Stored o = objects.get(key);
        synchronized (o) {
            o.ongoing = false;
            o.expiry = ZonedDateTime.now(ZoneOffset.UTC).plus(life).withNano(0);
        }
    }

    /** The {@code from}-th to {@code to}-th HeadObject of {@code key} (1-based, all of its HEADs counted) answer 503. */
    void failHeads(String key, int from, int to) {
        Stored o = objects.get(key);
        synchronized (o) {
            o.failHeadsFrom = from;
            o.failHeadsTo = to;
        }
    }

    /** {@code false}: HeadObject never sends {@code x-amz-restore}; restores still run and answer as S3's do. */
    void reportsRestore(boolean reports) {
        this.reportsRestore = reports;
    }

    /** Runs {@code action} right after the next HeadObject of {@code key} is answered (another client racing). */
    void afterNextHead(String key, Runnable action) {
        Stored o = objects.get(key);
        synchronized (o) {
            o.afterNextHead = action;
        }
    }

    /** @return every request as {@code METHOD key[?query]}, in order */
    List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** @return the RestoreObject requests with their answers */
    List<RestoreCall> restores() {
        synchronized (restores) {
            return List.copyOf(restores);
        }
    }

    /** @return settings of a repository on this bucket, with no retries so that every request shows */
    S3RepositoryConfig.Builder config() {
        return S3RepositoryConfig.builder(BUCKET)
                .endpoint(URI.create("http://127.0.0.1:" + server.getAddress().getPort())).pathStyle(true)
                .region("us-east-1").credentials(S3Credentials.ofStatic("AKIA1", Secret.of("s")));
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getRawQuery();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String prefix = "/" + BUCKET + "/";
            if (!path.startsWith(prefix)) { // the bucket itself: the listing that opening a repository makes
                requests.add(method + " /");
                respond(exchange, 200, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3"
                        + ".amazonaws.com/doc/2006-03-01/\"><Name>" + BUCKET + "</Name><Prefix></Prefix><KeyCount>0"
                        + "</KeyCount><MaxKeys>1</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>");
                return;
            }
            String key = path.substring(prefix.length());
            requests.add(method + " " + key + (query == null ? "" : "?" + query));
            Stored o = objects.get(key);
            if (o == null) {
                if ("HEAD".equals(method)) {
                    exchange.sendResponseHeaders(404, -1);
                } else {
                    error(exchange, 404, "NoSuchKey", "The specified key does not exist.", null);
                }
                return;
            }
            switch (method) {
                case "HEAD" -> head(exchange, o);
                case "GET" -> get(exchange, o);
                case "POST" -> {
                    if (query != null && query.contains("restore")) {
                        restore(exchange, key, o, new String(body, StandardCharsets.UTF_8));
                    } else {
                        error(exchange, 501, "NotImplemented", "not in this stub", null);
                    }
                }
                default -> error(exchange, 501, "NotImplemented", "not in this stub", null);
            }
        }
    }

    private void head(HttpExchange exchange, Stored o) throws IOException {
        Runnable after;
        String restore = null;
        synchronized (o) {
            o.heads++;
            if (o.heads >= o.failHeadsFrom && o.heads <= o.failHeadsTo) { // S3's SlowDown; a HEAD has no body
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            if (o.ongoing && ++o.headsWhileOngoing >= o.restoreAfterHeads) {
                o.ongoing = false;
                o.expiry = ZonedDateTime.now(ZoneOffset.UTC).plusDays(3).withNano(0);
            }
            if (o.ongoing) {
                restore = "ongoing-request=\"true\"";
            } else if (o.expiry != null) {
                restore = "ongoing-request=\"false\", expiry-date=\"" + HTTP_DATE.format(o.expiry) + "\"";
            }
            after = o.afterNextHead;
            o.afterNextHead = null;
        }
        objectHeaders(exchange, o);
        if (restore != null && reportsRestore) {
            exchange.getResponseHeaders().add("x-amz-restore", restore);
        }
        exchange.getResponseHeaders().add("Content-Length", Integer.toString(o.bytes.length));
        if (after != null) { // the racing client acts after this answer was decided, before the SDK can act on it
            after.run();
        }
        exchange.sendResponseHeaders(200, -1);
    }

    private void get(HttpExchange exchange, Stored o) throws IOException {
        boolean readable;
        synchronized (o) {
            readable = !o.archived() || (!o.ongoing && o.expiry != null);
        }
        if (!readable) {
            error(exchange, 403, "InvalidObjectState", "The operation is not valid for the object's storage class",
                    o.storageClass);
            return;
        }
        objectHeaders(exchange, o);
        exchange.sendResponseHeaders(200, o.bytes.length);
        exchange.getResponseBody().write(o.bytes);
    }

    private void restore(HttpExchange exchange, String key, Stored o, String body) throws IOException {
        Matcher days = DAYS.matcher(body);
        Matcher tier = TIER.matcher(body);
        int d = days.find() ? Integer.parseInt(days.group(1)) : -1;
        String t = tier.find() ? tier.group(1) : "Standard"; // S3's default tier
        int status;
        synchronized (o) {
            if (!o.archived()) {
                status = 403;
            } else if (o.ongoing) {
                status = 409;
            } else if (o.expiry != null) {
                status = 200; // a restored copy exists: its expiry moves to now + Days
                o.expiry = ZonedDateTime.now(ZoneOffset.UTC).plusDays(Math.max(d, 1)).withNano(0);
            } else {
                status = 202;
                o.ongoing = true;
                o.headsWhileOngoing = 0;
            }
        }
        restores.add(new RestoreCall(key, status, t, d));
        switch (status) {
            case 403 -> error(exchange, 403, "InvalidObjectState",
                    "Restore is not allowed for the object's current storage class", o.storageClass);
            case 409 -> error(exchange, 409, "RestoreAlreadyInProgress", "Object restore is already in progress",
                    null);
            default -> exchange.sendResponseHeaders(status, -1);
        }
    }

    private static void objectHeaders(HttpExchange exchange, Stored o) {
        var headers = exchange.getResponseHeaders();
        headers.add("Content-Type", "application/octet-stream");
        headers.add("Last-Modified", HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC).minusDays(200)));
        headers.add("ETag", "\"" + HexFormat.of().formatHex(digest("MD5", o.bytes)) + "\"");
        headers.add("x-amz-meta-pgvault-sha256", HexFormat.of().formatHex(digest("SHA-256", o.bytes)));
        if (!"STANDARD".equals(o.storageClass)) { // S3 omits the header for STANDARD
            headers.add("x-amz-storage-class", o.storageClass);
        }
    }

    private static void error(HttpExchange exchange, int status, String code, String message, String storageClass)
            throws IOException {
        respond(exchange, status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>"
                + message + "</Message>" + (storageClass == null ? "" : "<StorageClass>" + storageClass
                + "</StorageClass>") + "<RequestId>R1</RequestId></Error>");
    }

    private static void respond(HttpExchange exchange, int status, String xml) throws IOException {
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/xml");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static byte[] digest(String algorithm, byte[] bytes) {
        try {
            return MessageDigest.getInstance(algorithm).digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
