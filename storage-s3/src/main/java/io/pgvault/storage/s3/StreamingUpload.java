package io.pgvault.storage.s3;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.AbortMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The stream a producer writes one object into. Bytes collect in a part buffer; an object that fits in one part goes
 * up in a single PutObject when the producer returns, a larger one as a multipart upload whose parts are sent by
 * background threads while the producer goes on. Part sizes follow a {@link PartSchedule} (they grow as the object
 * does). Every part buffer, the one being filled included, is paid for from the upload memory before it is
 * allocated, and at most {@code partsInFlight} exist at once: when the memory or the count is used up, the producer
 * waits, which is the back-pressure; more than {@link S3RepositoryConfig#uploadMemory()} bytes of buffers cannot
 * exist. Nothing is visible until {@link #complete()}; {@link #close()} without it aborts the multipart upload after
 * every part upload has stopped, so no part can land after the abort.
 */
final class StreamingUpload extends OutputStream {
    /** Metadata entry holding the lower-case hex SHA-256 of a single-request object. */
    static final String SHA256_METADATA = "pgvault-sha256";

    private static final Logger LOG = LoggerFactory.getLogger(StreamingUpload.class);
    private static final int FIRST_BUFFER = 64 * 1024;
    private static final long ABORT_WAIT_SECONDS = 60;

    private final S3Client s3;
    private final S3RepositoryConfig config;
    private final ObjectTarget target;
    private final ExecutorService executor;
    private final MessageDigest digest;
    /** Part buffers that may still be made (partsInFlight). */
    private final Semaphore buffers;
    /**
     * Upload memory left, in bytes: a buffer takes its size before it exists and gives it back when it is dropped.
     * Only the producer's thread (writes, {@link #complete()}, {@link #close()}) takes or gives it: a finished part
     * hands its buffer, and the memory it holds, back through {@link #freeBuffers}, which is what a producer short of
     * memory waits on.
     */
    private long memoryFree;
    private final long memoryLimit;
    private final PartSchedule schedule;
    private final BlockingQueue<byte[]> freeBuffers = new LinkedBlockingQueue<>();
    private final List<Part> parts = new ArrayList<>();
    private final AtomicReference<Throwable> partFailure = new AtomicReference<>();

    private byte[] current;
    /** Whether the producer holds a buffer permit (for {@link #current}). */
    private boolean holding;
    /** Bytes of upload memory the producer holds for {@link #current} (the part being filled). */
    private int held;
    /** Most upload memory held at once, in bytes, to show the bound holds. */
    private final java.util.concurrent.atomic.AtomicLong peakHeld = new java.util.concurrent.atomic.AtomicLong();
    private int position;
    private long size;
    private String uploadId;
    private boolean completed;
    private boolean closed;
    private Throwable storageFailure;
    /** Full-size part buffers allocated, to show memory stays bounded. */
    private int allocated;

    /** Where an object goes and how it is written. */
    record ObjectTarget(String bucket, String s3Key, Map<String, String> metadata,
            java.util.function.Consumer<PutObjectRequest.Builder> putOptions,
            java.util.function.Consumer<CreateMultipartUploadRequest.Builder> createOptions,
            java.util.function.Consumer<CompleteMultipartUploadRequest.Builder> completeOptions) {
    }

    StreamingUpload(S3Client s3, S3RepositoryConfig config, ObjectTarget target, ExecutorService executor) {
        this(s3, config, target, executor, PartSchedule.of(config));
    }

    /** With another schedule than the configuration's (tests: a few parts that grow fast). */
    StreamingUpload(S3Client s3, S3RepositoryConfig config, ObjectTarget target, ExecutorService executor,
            PartSchedule schedule) {
        this.s3 = s3;
        this.config = config;
        this.target = target;
        this.executor = executor;
        this.buffers = new Semaphore(config.partsInFlight());
        this.schedule = schedule;
        this.memoryLimit = config.uploadMemory();
        if (schedule.cap() > memoryLimit) {
            throw new IllegalArgumentException("a part of " + schedule.cap() + " bytes does not fit in the upload "
                    + "memory, " + memoryLimit + " bytes");
        }
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
        buffers.acquireUninterruptibly(); // never blocks: a fresh semaphore
        held = schedule.size(1); // the first part's whole size, though its buffer starts small and grows
        memoryFree = memoryLimit - held; // never negative: uploadMemory is at least partSize
        notePeak();
        holding = true;
        current = new byte[Math.min(FIRST_BUFFER, schedule.size(1))];
    }

    @Override
    public void write(int b) throws IOException {
        ensureRoom();
        current[position++] = (byte) b;
        digest.update((byte) b);
        size++;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        while (length > 0) {
            ensureRoom();
            int n = Math.min(length, current.length - position);
            System.arraycopy(bytes, offset, current, position, n);
            digest.update(bytes, offset, n);
            position += n;
            size += n;
            offset += n;
            length -= n;
        }
    }

    /** Does nothing: the repository completes or aborts the upload once the producer returns. */
    @Override
    public void flush() {
    }

    /** Makes room for at least one byte in the current buffer: grows the first one, else sends a full part. */
    private void ensureRoom() throws IOException {
        if (closed || completed) {
            throw new IOException("the put this stream belongs to has finished");
        }
        checkParts();
        if (position < current.length) {
            return;
        }
        if (parts.isEmpty() && current.length < schedule.size(1)) {
            current = Arrays.copyOf(current, (int) Math.min(schedule.size(1), 2L * current.length));
            if (current.length == schedule.size(1)) {
                allocated++;
            }
            return;
        }
        sendPart();
        current = nextBuffer();
    }

    /** Starts the upload of the current buffer as the next part; the buffer and its permit go with it. */
    private void sendPart() throws IOException {
        try {
            if (uploadId == null) {
                uploadId = s3.createMultipartUpload(CreateMultipartUploadRequest.builder()
                        .bucket(target.bucket()).key(target.s3Key())
                        .checksumAlgorithm(config.flexibleChecksums() ? ChecksumAlgorithm.CRC32 : null)
                        .metadata(target.metadata())
                        .applyMutation(target.createOptions())
                        .build()).uploadId();
            }
        } catch (RuntimeException e) {
            throw storageFailed(e);
        }
        int partNumber = parts.size() + 1;
        if (partNumber > schedule.maxParts() || size > PartSchedule.S3_MAX_OBJECT) {
            throw storageFailed(new S3RepositoryException(S3RepositoryException.Reason.OBJECT_TOO_LARGE,
                    "the object exceeds " + schedule.maxObjectSize() + " bytes, the most " + schedule.maxParts()
                            + " parts hold when they grow from " + schedule.initial() + " to " + schedule.cap()
                            + " bytes; raise uploadMemory (the part size grows up to half of it)", null));
        }
        byte[] buffer = current;
        int length = position;
        int bytes = held;
        current = null;
        position = 0;
        holding = false;
        held = 0;
        AtomicBoolean claimed = new AtomicBoolean();
        parts.add(new Part(claimed, bytes, executor.submit(() -> uploadPart(partNumber, buffer, length, claimed))));
    }

    /**
     * A part upload; whoever sets {@code claimed} first, the task or {@link #close()}, returns its permit (and, for
     * a part that never started, its memory: a finished part's buffer keeps its memory in the pool).
     */
    private record Part(AtomicBoolean claimed, int bytes, Future<CompletedPart> future) {
    }

    private CompletedPart uploadPart(int partNumber, byte[] buffer, int length, AtomicBoolean claimed) {
        if (!claimed.compareAndSet(false, true)) {
            return null; // aborted before it started; close() returned the permit
        }
        try {
            boolean flexible = config.flexibleChecksums();
            UploadPartResponse response = s3.uploadPart(request -> request.bucket(target.bucket())
                            .key(target.s3Key()).uploadId(uploadId).partNumber(partNumber)
                            .contentLength((long) length)
                            .checksumAlgorithm(flexible ? ChecksumAlgorithm.CRC32 : null)
                            .contentMD5(flexible ? null : md5(buffer, length)),
                    RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length,
                            "application/octet-stream"));
            return CompletedPart.builder().partNumber(partNumber).eTag(response.eTag())
                    .checksumCRC32(flexible ? response.checksumCRC32() : null).build();
        } catch (RuntimeException | Error e) {
            partFailure.compareAndSet(null, e);
            throw e;
        } finally {
            freeBuffers.offer(buffer); // with its memory: the producer reuses it, or drops it and frees the memory
            buffers.release();
        }
    }

    /**
     * Waits for a buffer of the next part's size: a free one of that size from the pool, else a new one once the
     * upload memory has room for it (pooled buffers of another size are dropped first, freeing theirs). Fails early
     * when a part upload has failed meanwhile.
     */
    private byte[] nextBuffer() throws IOException {
        int size = schedule.size(parts.size() + 1);
        try {
            while (!buffers.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                checkParts();
            }
            holding = true;
            byte[] buffer;
            while (true) {
                // a finished part leaves its buffer in the pool with its memory: look there on every round
                while ((buffer = freeBuffers.poll()) != null && buffer.length != size) {
                    memoryFree += buffer.length; // a buffer of an earlier, smaller part size
                }
                if (buffer != null) {
                    break;
                }
                if (memoryFree >= size) {
                    memoryFree -= size;
                    buffer = new byte[size];
                    allocated++;
                    break;
                }
                // memory comes back only with a finished part's buffer: wait for one, not for a timer
                buffer = freeBuffers.poll(100, TimeUnit.MILLISECONDS);
                if (buffer != null) {
                    if (buffer.length == size) {
                        break;
                    }
                    memoryFree += buffer.length;
                }
                checkParts();
            }
            held = size;
            notePeak();
            return buffer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw storageFailed(new InterruptedIOException("interrupted while waiting for a part upload"));
        }
    }

    private void notePeak() {
        peakHeld.accumulateAndGet(memoryLimit - memoryFree, Math::max);
    }

    /** @return the most bytes of upload memory held at once; never more than the configured upload memory */
    long peakBufferedBytes() {
        return peakHeld.get();
    }

    private void checkParts() throws IOException {
        Throwable failure = partFailure.get();
        if (failure != null) {
            throw storageFailed(failure);
        }
    }

    /**
     * Commits the object: a single PutObject for a small one, else the last part and CompleteMultipartUpload.
     *
     * @return the hex SHA-256 of the bytes
     */
    String complete() throws IOException {
        if (closed || completed) {
            throw new IOException("the put this stream belongs to has finished");
        }
        checkParts();
        byte[] sha256 = digest.digest();
        String hex = HexFormat.of().formatHex(sha256);
        try {
            if (uploadId == null) {
                putSingle(sha256, hex);
            } else {
                if (position > 0) {
                    sendPart();
                }
                List<CompletedPart> done = new ArrayList<>();
                for (Part part : parts) {
                    done.add(part.future().get());
                }
                s3.completeMultipartUpload(CompleteMultipartUploadRequest.builder()
                        .bucket(target.bucket()).key(target.s3Key()).uploadId(uploadId)
                        .multipartUpload(upload -> upload.parts(done))
                        .applyMutation(target.completeOptions())
                        .build());
            }
        } catch (ExecutionException e) {
            throw storageFailed(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw storageFailed(new InterruptedIOException("interrupted while waiting for the part uploads"));
        } catch (RuntimeException e) {
            throw storageFailed(e);
        }
        completed = true;
        return hex;
    }

    /** One request: S3 checks the SHA-256 we send against the bytes it received, and keeps it in the metadata. */
    private void putSingle(byte[] sha256, String hex) {
        byte[] buffer = current;
        int length = position;
        Map<String, String> metadata = new java.util.HashMap<>(target.metadata());
        metadata.put(SHA256_METADATA, hex);
        s3.putObject(PutObjectRequest.builder()
                        .bucket(target.bucket()).key(target.s3Key())
                        .contentLength((long) length)
                        .checksumSHA256(config.flexibleChecksums() ? Base64.getEncoder().encodeToString(sha256) : null)
                        .contentMD5(config.flexibleChecksums() ? null : md5(buffer, length))
                        .metadata(metadata)
                        .applyMutation(target.putOptions())
                        .build(),
                RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length,
                        "application/octet-stream"));
    }

    long size() {
        return size;
    }

    /** Content-MD5 of a request body: what stores without flexible checksums check in transit. */
    private static String md5(byte[] buffer, int length) {
        try {
            java.security.MessageDigest md5 = java.security.MessageDigest.getInstance("MD5");
            md5.update(buffer, 0, length);
            return Base64.getEncoder().encodeToString(md5.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is unavailable on this JVM", e);
        }
    }

    /** @return how many part-sized buffers this upload allocated; never more than {@code partsInFlight} */
    int partBuffersAllocated() {
        return allocated;
    }

    /** @return the failure of S3 that made a write or the completion fail, if one did */
    Throwable storageFailure() {
        return storageFailure;
    }

    /**
     * Releases the buffers; unless completed, stops the part uploads and aborts the multipart upload. Runs the abort
     * even when the thread is interrupted, and restores the interrupt afterwards.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        current = null;
        for (byte[] pooled; (pooled = freeBuffers.poll()) != null; ) {
            memoryFree += pooled.length;
        }
        if (holding) {
            holding = false;
            buffers.release();
            memoryFree += held;
            held = 0;
        }
        if (completed || uploadId == null) {
            return;
        }
        boolean interrupted = Thread.interrupted();
        try {
            for (Part part : parts) {
                if (part.claimed().compareAndSet(false, true)) {
                    buffers.release(); // never started, and now never will
                    memoryFree += part.bytes();
                } else {
                    part.future().cancel(true);
                }
            }
            // every running part upload returns its permit when it ends: once all are back, no part can land after
            // the abort (S3 may otherwise keep a part that was still arriving)
            if (!buffers.tryAcquire(config.partsInFlight(), ABORT_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("s3://{}/{}: part uploads still running {} s after the abort began; aborting anyway",
                        target.bucket(), target.s3Key(), ABORT_WAIT_SECONDS);
            }
            s3.abortMultipartUpload(AbortMultipartUploadRequest.builder()
                    .bucket(target.bucket()).key(target.s3Key()).uploadId(uploadId).build());
        } catch (InterruptedException e) {
            interrupted = true;
            LOG.warn("s3://{}/{}: interrupted while aborting the multipart upload {}; a bucket lifecycle rule "
                    + "(AbortIncompleteMultipartUpload) or S3Repository.abortIncompleteUploads removes it",
                    target.bucket(), target.s3Key(), uploadId);
        } catch (RuntimeException e) {
            LOG.warn("s3://{}/{}: could not abort the multipart upload {} ({}); a bucket lifecycle rule "
                            + "(AbortIncompleteMultipartUpload) or S3Repository.abortIncompleteUploads removes it",
                    target.bucket(), target.s3Key(), uploadId, e.toString());
            if (storageFailure != null && storageFailure != e) {
                storageFailure.addSuppressed(e);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private IOException storageFailed(Throwable e) {
        if (storageFailure == null) {
            storageFailure = e;
        }
        return e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }
}
