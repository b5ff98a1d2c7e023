package io.pgvault.storage.gdrive;

import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.ByteArrayContent;
import com.google.api.client.http.EmptyContent;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpContent;
import com.google.api.client.http.HttpRequest;
import com.google.api.client.http.HttpResponse;
import com.google.api.client.http.json.JsonHttpContent;
import com.google.api.services.drive.model.File;
import io.pgvault.storage.gdrive.GoogleDriveRepositoryException.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stream a producer writes one object into, sent to Drive with the resumable upload protocol: the session starts
 * with the first full chunk (or at {@link #complete()}), each chunk is a {@code PUT} with
 * {@code Content-Range: bytes a-b/*}, the last one names the total, and Drive creates the file only when the last byte
 * arrives. A full chunk is sent when the producer writes past it (so that the last chunk is always known to be the
 * last). Sending is double-buffered: a full chunk goes up on a sender thread while the producer fills the second
 * buffer, and the producer waits only when that one is full too, so a CPU-bound producer (pg_dump, zstd, age) and the
 * network overlap. Two chunk buffers are all a put holds; an object smaller than a chunk never allocates one, and one
 * that fits in a single chunk starts no thread.
 *
 * <p>A chunk that fails for a passing reason (429, 403 rate limit, 5xx, a broken connection) is retried after a
 * jittered backoff from the offset Drive reports for the session ({@code bytes *}{@code /*} status query, answered
 * with 308 and {@code Range}): bytes Drive already holds are not sent again. The session is per put and not
 * persisted: a put that fails for good cancels it ({@code DELETE}), and an object is never resumed by another put or
 * process (the producer's bytes are gone by then).
 */
final class ResumableUpload extends OutputStream {
    private static final Logger LOG = LoggerFactory.getLogger(ResumableUpload.class);
    private static final int FIRST_BUFFER = 64 * 1024;
    private static final Pattern RANGE = Pattern.compile("bytes=0-(\\d+)");

    private final DriveClients clients;
    private final Retrier retrier;
    private final GoogleDriveRepositoryConfig config;
    private final UploadBudget budget;
    private final File metadata;
    private final String action;
    private final MessageDigest md5;
    private final MessageDigest sha256;

    /** The buffer the producer fills. */
    private byte[] buffer = new byte[FIRST_BUFFER];
    private int position;
    /** A chunk buffer the sender has finished with, ready to be filled again. */
    private byte[] spare;
    /** The chunk being sent on the sender thread, if any; the fields below are the sender's while it runs. */
    private Future<?> inFlight;
    private ExecutorService sender;
    /** Offset in the object of the next chunk to send: the bytes Drive acknowledged. */
    private long offset;
    private long size;
    private String sessionUri;
    private File result;
    private boolean closed;
    /** Chunk-sized buffers allocated, to show memory stays bounded. */
    private int chunkBuffers;

    ResumableUpload(DriveClients clients, Retrier retrier, GoogleDriveRepositoryConfig config, File metadata,
            String action) {
        this(clients, retrier, config, new UploadBudget(config.uploadLimitPerDay(), java.time.Clock.systemUTC()),
                metadata, action);
    }

    ResumableUpload(DriveClients clients, Retrier retrier, GoogleDriveRepositoryConfig config, UploadBudget budget,
            File metadata, String action) {
        this.budget = budget;
        this.clients = clients;
        this.retrier = retrier;
        this.config = config;
        this.metadata = metadata;
        this.action = action;
        try {
            this.md5 = MessageDigest.getInstance("MD5");
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides MD5 and SHA-256", e);
        }
    }

    @Override
    public void write(int b) throws IOException {
        ensureRoom();
        buffer[position++] = (byte) b;
        md5.update((byte) b);
        sha256.update((byte) b);
        size++;
    }

    @Override
    public void write(byte[] bytes, int from, int length) throws IOException {
        Objects.checkFromIndexSize(from, length, bytes.length);
        while (length > 0) {
            ensureRoom();
            int n = Math.min(length, buffer.length - position);
            System.arraycopy(bytes, from, buffer, position, n);
            md5.update(bytes, from, n);
            sha256.update(bytes, from, n);
            position += n;
            size += n;
            from += n;
            length -= n;
        }
    }

    /** Does nothing: chunks go when full, the last at {@link #complete()}. */
    @Override
    public void flush() {
    }

    private void ensureRoom() throws IOException {
        if (closed || result != null) {
            throw new IOException("the put this stream belongs to has finished");
        }
        if (position < buffer.length) {
            return;
        }
        if (buffer.length < config.chunkSize()) {
            buffer = Arrays.copyOf(buffer, Math.min(config.chunkSize(), 2 * buffer.length));
            if (buffer.length == config.chunkSize()) {
                chunkBuffers++;
            }
            return;
        }
        awaitInFlight();
        byte[] full = buffer;
        int length = position;
        if (spare != null) {
            buffer = spare;
            spare = null;
        } else {
            buffer = new byte[config.chunkSize()];
            chunkBuffers++;
        }
        position = 0;
        if (sender == null) {
            sender = Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "pgvault-drive-upload");
                thread.setDaemon(true);
                return thread;
            });
        }
        inFlight = sender.submit(() -> {
            send(full, length, false);
            spare = full;
            return null;
        });
    }

    /** Waits for the chunk on the sender thread; its failure becomes the producer's. */
    private void awaitInFlight() throws IOException {
        if (inFlight == null) {
            return;
        }
        try {
            inFlight.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GoogleDriveRepositoryException failure) {
                throw new StorageFailure(failure);
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IOException(action + ": sending a chunk failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException(action + ": interrupted while a chunk was being sent");
        } finally {
            inFlight = null;
        }
    }

    /**
     * Sends the rest and finishes the session.
     *
     * @return the file Drive created (under its temporary name)
     * @throws GoogleDriveRepositoryException when Drive fails for good
     */
    File complete() {
        if (closed || result != null) {
            throw new IllegalStateException("the put this stream belongs to has finished");
        }
        try {
            awaitInFlight();
        } catch (StorageFailure e) {
            throw e.failure();
        } catch (IOException e) {
            throw new GoogleDriveRepositoryException(Reason.SERVICE, e.getMessage(), e);
        }
        File file = send(buffer, position, true);
        if (file == null) {
            throw new GoogleDriveRepositoryException(Reason.SERVICE, action + ": Drive did not finish the upload "
                    + "after its last byte", null);
        }
        result = file;
        return file;
    }

    /** Sends {@code chunk[0..length)} as the next chunk; with {@code last}, as the final one. */
    private File send(byte[] chunk, int length, boolean last) {
        if (sessionUri == null) {
            try {
                sessionUri = retrier.call(action, this::startSession);
            } catch (GoogleDriveRepositoryException e) {
                if (e.getCause() != null && DriveErrors.notFound(e.getCause())) {
                    throw new GoogleDriveRepositoryException(Reason.FOLDER_NOT_FOUND, action + ": the repository "
                            + "folder (" + metadata.getParents() + ") no longer exists; nothing was stored", e);
                }
                throw e;
            }
        }
        long end = offset + length;
        String total = last ? Long.toString(end) : "*";
        int from = 0;
        int failures = 0;
        int refusals = 0;
        Instant firstRefusal = null;
        while (true) {
            Object answer;
            boolean failed = false;
            try {
                answer = put(chunk, from, length, total);
            } catch (IOException e) {
                if (DriveErrors.notFound(e) || (e instanceof GoogleJsonResponseException json
                        && json.getStatusCode() == 410)) {
                    throw new GoogleDriveRepositoryException(Reason.UPLOAD_SESSION_LOST, action
                            + ": the upload session expired or was lost; nothing was stored", e);
                }
                failures++;
                boolean patient = false;
                if (DriveErrors.rateLimit(e)) {
                    // the daily upload limit looks like a rate limit: judge whether it is, rather than retry blindly
                    Instant now = budget.now();
                    firstRefusal = refusals++ == 0 ? now : firstRefusal;
                    Duration waited = Duration.between(firstRefusal, now);
                    String why = budget.limitReached(refusals, retrier.maxAttempts(), waited);
                    if (why != null) {
                        budget.limitMet();
                        throw UploadBudget.failure(action, why, e);
                    }
                    // a per-minute quota: keep backing off (past maxAttempts) until it clears or rule 2 applies
                    patient = waited.compareTo(UploadBudget.RATE_LIMIT_PATIENCE) < 0;
                } else {
                    refusals = 0;
                }
                if (!DriveErrors.transientFailure(e) || (failures >= retrier.maxAttempts() && !patient)) {
                    throw Retrier.failure(action, e, failures);
                }
                retrier.pause(action, failures, e);
                failed = true;
                try {
                    answer = statusOrFile(total);
                } catch (IOException query) {
                    // the status query failed too: send the chunk again from where we were
                    LOG.debug("{}: status query failed: {}", action, DriveErrors.detail(query));
                    continue;
                }
            }
            if (answer instanceof File file) {
                budget.uploaded(length);
                return file;
            }
            long persisted = (Long) answer;
            if (persisted < offset || persisted > end) {
                throw new GoogleDriveRepositoryException(Reason.UPLOAD_SESSION_LOST, action + ": Drive holds "
                        + persisted + " bytes of the upload, but bytes " + offset + " to " + end
                        + " were being sent; nothing was stored", null);
            }
            if (persisted == end && !last) {
                break;
            }
            int next = (int) (persisted - offset);
            // a failure was counted already; count a chunk Drive accepted without taking any of it
            if (!failed && next <= from && ++failures >= retrier.maxAttempts()) {
                throw new GoogleDriveRepositoryException(Reason.SERVICE, action + ": Drive keeps acknowledging "
                        + persisted + " bytes without progress; nothing was stored", null);
            }
            from = next;
        }
        budget.uploaded(length);
        offset = end;
        return null;
    }

    private String startSession() throws IOException {
        GenericUrl url = new GenericUrl(config.rootUrl() + "upload/drive/v3/files");
        url.set("uploadType", "resumable");
        url.set("supportsAllDrives", "true");
        url.set("fields", DriveFiles.FIELDS);
        HttpRequest request = clients.requests.buildPostRequest(url, new JsonHttpContent(clients.json, metadata));
        request.getHeaders().set("X-Upload-Content-Type", "application/octet-stream");
        HttpResponse response = execute(request);
        try {
            if (!response.isSuccessStatusCode()) {
                throw GoogleJsonResponseException.from(clients.json, response);
            }
            String location = response.getHeaders().getLocation();
            if (location == null) {
                throw new IOException("Drive started an upload session without a Location");
            }
            return location;
        } finally {
            response.disconnect();
        }
    }

    /**
     * PUTs {@code chunk[from..length)}.
     *
     * @return the file when the session finished, else the bytes Drive holds (308)
     */
    private Object put(byte[] chunk, int from, int length, String total) throws IOException {
        long first = offset + from;
        long last = offset + length - 1;
        HttpContent content = length - from == 0 ? new EmptyContent()
                : new ByteArrayContent("application/octet-stream", chunk, from, length - from);
        String range = length - from == 0 ? "bytes */" + total : "bytes " + first + "-" + last + "/" + total;
        return exchange(content, range);
    }

    /** @return the file when the session is complete, else the bytes Drive holds */
    private Object statusOrFile(String total) throws IOException {
        return exchange(new EmptyContent(), "bytes */" + total);
    }

    /** @return a {@link File} (200/201) or the persisted byte count (308) */
    private Object exchange(HttpContent content, String range) throws IOException {
        HttpRequest request = clients.requests.buildPutRequest(new GenericUrl(sessionUri), content);
        request.getHeaders().setContentRange(range);
        HttpResponse response = execute(request);
        try {
            int status = response.getStatusCode();
            if (status == 200 || status == 201) {
                return clients.json.createJsonParser(response.getContent(), response.getContentCharset())
                        .parseAndClose(File.class);
            }
            if (status == 308) {
                String header = response.getHeaders().getRange();
                if (header == null) {
                    return 0L;
                }
                Matcher m = RANGE.matcher(header);
                if (!m.matches()) {
                    throw new IOException("Drive answered an unreadable Range: " + header);
                }
                return Long.parseLong(m.group(1)) + 1;
            }
            throw GoogleJsonResponseException.from(clients.json, response);
        } finally {
            response.disconnect();
        }
    }

    private static HttpResponse execute(HttpRequest request) throws IOException {
        request.setThrowExceptionOnExecuteError(false);
        request.setFollowRedirects(false);
        request.setParser(null);
        return request.execute();
    }

    long size() {
        return size;
    }

    String md5Hex() {
        return HexFormat.of().formatHex(((MessageDigest) clone(md5)).digest());
    }

    String sha256Hex() {
        return HexFormat.of().formatHex(((MessageDigest) clone(sha256)).digest());
    }

    private static Object clone(MessageDigest digest) {
        try {
            return digest.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    int chunkBuffersAllocated() {
        return chunkBuffers;
    }

    /** Cancels the session, if it is open: Drive drops the bytes it holds. Best effort; the session expires anyway. */
    void cancel() {
        try {
            awaitInFlight(); // the session address may still be on its way
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: the chunk in flight failed too: {}", action, e.toString());
        }
        if (sessionUri == null || result != null) {
            return;
        }
        try {
            HttpRequest request = clients.requests.buildDeleteRequest(new GenericUrl(sessionUri));
            execute(request).disconnect();
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: could not cancel the upload session: {}", action, e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        if (inFlight != null) {
            cancel();
        }
        if (sender != null) {
            sender.shutdownNow();
        }
        buffer = null;
        spare = null;
    }

    /** Carries a Drive failure through the producer's {@code OutputStream} calls. */
    static final class StorageFailure extends IOException {
        private static final long serialVersionUID = 1L;

        StorageFailure(GoogleDriveRepositoryException cause) {
            super(cause.getMessage(), cause);
        }

        GoogleDriveRepositoryException failure() {
            return (GoogleDriveRepositoryException) getCause();
        }
    }
}
