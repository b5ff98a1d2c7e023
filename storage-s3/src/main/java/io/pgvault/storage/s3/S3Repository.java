package io.pgvault.storage.s3;

import io.pgvault.api.InvalidKeyException;
import io.pgvault.api.NotFoundException;
import io.pgvault.api.RepositoryException;
import io.pgvault.api.RepositoryLayout;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectKeys;
import io.pgvault.spi.ObjectWriter;
import io.pgvault.spi.Repository;
import io.pgvault.spi.VerifyingInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.StorageClass;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A {@link Repository} in an Amazon S3 or S3-compatible bucket, under a key prefix.
 * <pre>{@code
 * try (S3Repository repository = S3Repository.of(S3RepositoryConfig.builder("my-backups")
 *         .prefix("pg/prod").region("eu-central-1").build())) {
 *     ...
 * }
 * }</pre>
 *
 * <p><b>Streaming, atomic puts in bounded memory.</b> A put collects the producer's bytes in part buffers of
 * {@link S3RepositoryConfig#partSize()}. An object that fits in one part is sent in a single PutObject when the
 * producer returns. A larger one becomes a multipart upload: full parts are sent by background threads while the
 * producer goes on, at most {@link S3RepositoryConfig#partsInFlight()} buffers exist per put (the producer waits for a
 * free one: back-pressure), so a put holds at most {@link S3RepositoryConfig#uploadMemory()} bytes (32 MiB by
 * default) whatever the object's size, which need not be known in advance; parts grow as the object does
 * (ADR 0007). CompleteMultipartUpload is the commit point; if the producer throws, a part
 * fails after the SDK's retries, or the thread is interrupted, the part uploads are stopped and the multipart upload
 * is aborted, so nothing becomes visible and the previous object under the key stays. A process that dies mid-put
 * leaves an incomplete upload that is invisible but billed: {@link #abortIncompleteUploads(Duration)} or a bucket
 * lifecycle rule ({@code AbortIncompleteMultipartUpload}) removes it.
 *
 * <p><b>Integrity.</b> Every put computes the SHA-256 of the bytes and returns it. A single-request object is sent
 * with that SHA-256 as its {@code x-amz-checksum-sha256}, which S3 checks against what it received, and keeps it in the
 * object's metadata ({@code x-amz-meta-pgvault-sha256}); {@link #stat} reports it and {@link #open} checks the bytes
 * read against it, throwing {@link io.pgvault.api.IntegrityException} at the end of a corrupt object. Each part of a
 * multipart upload carries a CRC32 that S3 checks; the SHA-256 of a multipart object, known only once its parts are
 * sent, is the one {@code put} returns (and the catalog records), not object metadata. {@link #list} reports no
 * digests (S3 listings carry no metadata).
 *
 * <p><b>Errors</b> are {@link S3RepositoryException}s saying whether the credentials were rejected, access was denied,
 * the bucket is missing, a request timed out, or the network failed; messages never contain secrets. Opening a
 * repository checks bucket and credentials with one listing request (and creates the bucket if configured to).
 *
 * <p>Thread-safe. Close it to release the HTTP connections and upload threads.
 *
 * @since 0.1.0
 */
public final class S3Repository implements Repository, AutoCloseable {
    /** Metadata naming the create-only put that wrote an object. */
    static final String PUT_TOKEN = "pgvault-put";
    private static final Logger LOG = LoggerFactory.getLogger(S3Repository.class);
    private static final AtomicInteger REPOSITORIES = new AtomicInteger();

    private final S3RepositoryConfig config;
    private final S3Client s3;
    private final ExecutorService uploads;
    private final boolean owner;
    private final String id;
    private final S3Errors errors;

    private S3Repository(S3RepositoryConfig config, S3Client s3, ExecutorService uploads, boolean owner) {
        this.config = config;
        this.s3 = s3;
        this.uploads = uploads;
        this.owner = owner;
        this.id = config.id();
        this.errors = new S3Errors(config);
    }

    /**
     * Opens a repository: checks that the bucket exists and the credentials may list it (creating the bucket first
     * when {@link S3RepositoryConfig#createBucket()} is set).
     *
     * @param config the settings
     * @return the repository; close it when done
     * @throws S3RepositoryException when the bucket is missing, the credentials are rejected or access is denied
     * @since 0.1.0
     */
    public static S3Repository of(S3RepositoryConfig config) {
        Objects.requireNonNull(config, "config");
        S3Client s3 = S3Clients.create(config);
        int number = REPOSITORIES.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        ThreadFactory factory = runnable -> {
            Thread thread = new Thread(runnable, "pgvault-s3-" + number + "-upload-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        S3Repository repository = new S3Repository(config, s3, Executors.newCachedThreadPool(factory), true);
        try {
            repository.checkBucket();
        } catch (RuntimeException e) {
            repository.close();
            throw e;
        }
        return repository;
    }

    private void checkBucket() {
        try {
            s3.listObjectsV2(request -> request.bucket(config.bucket()).prefix(config.prefix()).maxKeys(1));
        } catch (S3Exception e) {
            if (!config.createBucket() || !"NoSuchBucket".equals(S3Errors.errorCode(e))) {
                throw errors.map("cannot open " + id, e);
            }
            try {
                s3.createBucket(request -> request.bucket(config.bucket()));
                LOG.info("{}: created bucket '{}'", id, config.bucket());
            } catch (RuntimeException created) {
                throw errors.map("cannot create the bucket of " + id, created);
            }
        } catch (RuntimeException e) {
            throw errors.map("cannot open " + id, e);
        }
    }

    /**
     * @param storageClass storage class of the objects the returned repository writes
     * @return a repository on the same bucket, prefix and connections that writes in {@code storageClass}; closing it
     *         does nothing, closing this one closes both
     * @since 0.1.0
     */
    public S3Repository withStorageClass(S3StorageClass storageClass) {
        return new S3Repository(config.toBuilder().storageClass(storageClass).build(), s3, uploads, false);
    }

    /**
     * @return the settings of this repository; their secrets stay wrapped
     * @since 0.1.0
     */
    public S3RepositoryConfig config() {
        return config;
    }

    /**
     * @return {@code s3://bucket/prefix}, with the endpoint for S3-compatible stores
     * @since 0.1.0
     */
    @Override
    public String id() {
        return id;
    }

    /** @since 0.1.0 */
    @Override
    public ObjectInfo put(String key, ObjectWriter writer) {
        return store(key, writer, false).orElseThrow();
    }

    /**
     * Create-only with S3's conditional write ({@code If-None-Match: *} on PutObject and CompleteMultipartUpload):
     * S3 refuses the commit with 412 when the key exists, atomically. A refused multipart upload is aborted. Each put
     * carries a random token in its metadata, so a 412 caused by the SDK retrying a commit whose first response was
     * lost is recognized as this put's own success. S3-compatible stores that ignore the header (check yours) would
     * overwrite instead; AWS S3, MinIO and S3Proxy honour it.
     *
     * @since 0.3.0
     */
    @Override
    public Optional<ObjectInfo> putIfAbsent(String key, ObjectWriter writer) {
        return store(key, writer, true);
    }

    /** @return {@code true}: see {@link #putIfAbsent} @since 0.3.0 */
    @Override
    public boolean putIfAbsentIsAtomic() {
        return true;
    }

    private Optional<ObjectInfo> store(String key, ObjectWriter writer, boolean createOnly) {
        ObjectKeys.validate(key);
        Objects.requireNonNull(writer, "writer");
        String action = "cannot store '" + key + "' in " + id;
        String token = java.util.UUID.randomUUID().toString();
        try (StreamingUpload upload = new StreamingUpload(s3, config, target(key, createOnly ? token : null),
                uploads)) {
            produce(key, writer, upload);
            String sha256;
            try {
                sha256 = upload.complete();
            } catch (IOException e) {
                Throwable cause = upload.storageFailure() != null ? upload.storageFailure() : e;
                if (createOnly && cause instanceof S3Exception s3e
                        && (s3e.statusCode() == 412 || s3e.statusCode() == 409)) {
                    Optional<String> existing = putToken(key);
                    if (existing.isPresent() && existing.get().equals(token)) {
                        return stat(key); // our own commit, retried by the SDK after a lost response
                    }
                    if (existing.isPresent() || s3e.statusCode() == 412) {
                        return Optional.empty();
                    }
                }
                throw errors.map(action + "; nothing was stored", cause);
            }
            return Optional.of(new ObjectInfo(key, upload.size(), Instant.now(), Optional.of(sha256)));
        }
    }

    /** @return the put token of the object under {@code key}, {@code ""} for one without, empty when absent */
    private Optional<String> putToken(String key) {
        return head(key).map(head -> head.metadata().getOrDefault(PUT_TOKEN, ""));
    }

    /** HEAD of an object: empty when it does not exist; any other failure mapped. */
    private Optional<HeadObjectResponse> head(String key) {
        try {
            return Optional.of(s3.headObject(request -> request.bucket(config.bucket()).key(s3Key(key))));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw errors.map("cannot stat '" + key + "' in " + id, e);
        } catch (RuntimeException e) {
            throw errors.map("cannot stat '" + key + "' in " + id, e);
        }
    }

    private void produce(String key, ObjectWriter writer, StreamingUpload upload) {
        try {
            writer.writeTo(upload);
        } catch (IOException | RuntimeException e) {
            Throwable storage = upload.storageFailure();
            if (storage != null) {
                // The producer failed because S3 did: report the cause, not the symptom.
                S3RepositoryException mapped = errors.map("cannot store '" + key + "' in " + id
                        + "; nothing was stored", storage);
                mapped.addSuppressed(e);
                throw mapped;
            }
            if (e instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            throw new RepositoryException("the producer of '" + key + "' failed while it was being stored in " + id
                    + "; nothing was stored: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    private StreamingUpload.ObjectTarget target(String key, String createOnlyToken) {
        StorageClass storageClass = StorageClass.fromValue(config.storageClass().headerValue());
        ServerSideEncryption sse = switch (config.encryption().mode()) {
            case NONE -> null;
            case SSE_S3 -> ServerSideEncryption.AES256;
            case SSE_KMS -> ServerSideEncryption.AWS_KMS;
        };
        String kmsKey = config.encryption().kmsKeyId().orElse(null);
        Consumer<PutObjectRequest.Builder> put = request -> request.storageClass(storageClass)
                .serverSideEncryption(sse).ssekmsKeyId(kmsKey);
        Consumer<CreateMultipartUploadRequest.Builder> create = request -> request.storageClass(storageClass)
                .serverSideEncryption(sse).ssekmsKeyId(kmsKey);
        if (createOnlyToken == null) {
            return new StreamingUpload.ObjectTarget(config.bucket(), s3Key(key), Map.of(), put, create,
                    request -> { });
        }
        return new StreamingUpload.ObjectTarget(config.bucket(), s3Key(key), Map.of(PUT_TOKEN, createOnlyToken),
                put.andThen(request -> request.ifNoneMatch("*")), create,
                request -> request.ifNoneMatch("*"));
    }

    /** @since 0.1.0 */
    @Override
    public InputStream open(String key) {
        ObjectKeys.validate(key);
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = s3.getObject(request -> request.bucket(config.bucket()).key(s3Key(key)));
        } catch (NoSuchKeyException e) {
            throw notFound(key);
        } catch (RuntimeException e) {
            throw errors.map("cannot open '" + key + "' in " + id, e);
        }
        GetObjectResponse response = in.response();
        String sha256 = response.metadata().get(StreamingUpload.SHA256_METADATA);
        InputStream body = new ObjectStream(in);
        if (sha256 == null || response.contentLength() == null) {
            return body;
        }
        return new VerifyingInputStream(body, "'" + key + "' in " + id, response.contentLength(), "SHA-256",
                sha256);
    }

    /** @since 0.1.0 */
    @Override
    public Optional<ObjectInfo> stat(String key) {
        ObjectKeys.validate(key);
        return head(key).map(head -> new ObjectInfo(key, head.contentLength(), head.lastModified(),
                Optional.ofNullable(head.metadata().get(StreamingUpload.SHA256_METADATA))));
    }

    /**
     * Brings archived objects back before a restore reads them, when {@link S3RepositoryConfig#archiveRetrieval()} is
     * set: as {@link #prepareRead(Collection, ArchiveRetrieval, Consumer)} with those settings, logging the progress.
     * Without it (the default) it does nothing and sends no request: an archived object then fails when it is opened,
     * with reason {@link S3RepositoryException.Reason#ARCHIVED}.
     *
     * @param keys the objects about to be read
     * @throws ArchiveRetrievalTimeoutException when objects are still being restored at the configured timeout
     * @since 0.6.0
     */
    @Override
    public void prepareRead(Collection<String> keys) {
        Objects.requireNonNull(keys, "keys");
        Optional<ArchiveRetrieval> retrieval = config.archiveRetrieval();
        if (retrieval.isEmpty() || keys.isEmpty()) {
            return;
        }
        int[] logged = {-1};
        ArchiveRetrievalResult result = prepareRead(keys, retrieval.get(), progress -> {
            if (progress.total() > 0 && progress.ready() != logged[0]) { // once at the start, then on each change
                logged[0] = progress.ready();
                LOG.info("{}: {} from the archive (tier {})", id, progress, retrieval.get().tier());
            }
        });
        if (!result.archived().isEmpty()) {
            LOG.info("{}: {} archived object(s) restored ({} retrieval request(s) sent) in {}; the restored copies "
                    + "expire from {}", id, result.archived().size(), result.requestsSent(), result.waited(),
                    result.earliestExpiry().map(Object::toString).orElse("(not reported)"));
        }
    }

    /**
     * Makes objects in an archive storage class readable: finds which of {@code keys} are in S3 Glacier Flexible
     * Retrieval or Deep Archive (one HeadObject each; Glacier Instant Retrieval and every other class read directly
     * and are left alone), sends a RestoreObject request for each archived one that is neither restored nor being
     * restored, and polls those still being restored every {@link ArchiveRetrieval#pollInterval()} until all are
     * readable. Requesting is idempotent: S3 answers an object already being restored with 409
     * RestoreAlreadyInProgress, which is not an error, so calling it again after a timeout, a crash or from another
     * process sends no duplicate retrievals and goes on waiting. While waiting, a HeadObject failing with a 5xx,
     * throttling or a network error counts as "still pending"; an object that shows no restore at all gets one more
     * RestoreObject, and fails the second time (the store does not report restore progress).
     *
     * @param keys      the objects to read (duplicates are counted once)
     * @param retrieval tier, days, poll interval, timeout
     * @param progress  told where the retrieval stands after the requests and after every poll (on this thread)
     * @return which objects were archived and are readable now, and when their restored copies expire
     * @throws io.pgvault.api.NotFoundException   when a key has no object
     * @throws ArchiveRetrievalTimeoutException when objects are still being restored at the timeout
     * @throws S3RepositoryException            when S3 refuses a request (permissions: {@code s3:RestoreObject}); reason
     *                                          {@link S3RepositoryException.Reason#ARCHIVE_RESTORE_UNREPORTED} when the
     *                                          store accepts retrievals but never reports their progress
     * @since 0.6.0
     */
    public ArchiveRetrievalResult prepareRead(Collection<String> keys, ArchiveRetrieval retrieval,
            Consumer<ArchiveProgress> progress) {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(retrieval, "retrieval");
        Objects.requireNonNull(progress, "progress");
        return new ArchiveRetriever(s3, config, errors, retrieval, progress).run(keys);
    }

    /**
     * Lists page by page (1,000 keys a request). Objects under the prefix whose keys are not valid repository keys
     * (written by other tools, such as folder markers ending in {@code /}) are skipped.
     *
     * @since 0.1.0
     */
    @Override
    public List<ObjectInfo> list(String prefix) {
        String validPrefix = ObjectKeys.validatePrefix(prefix);
        List<ObjectInfo> objects = new ArrayList<>();
        try {
            for (S3Object object : s3.listObjectsV2Paginator(request -> request.bucket(config.bucket())
                    .prefix(config.prefix() + validPrefix)).contents()) {
                String key = object.key().substring(config.prefix().length());
                if (isValidKey(key)) {
                    objects.add(new ObjectInfo(key, object.size(), object.lastModified(), Optional.empty()));
                } else {
                    LOG.debug("{}: skipping '{}', which is not a valid repository key", id, object.key());
                }
            }
        } catch (RuntimeException e) {
            throw errors.map("cannot list '" + validPrefix + "' in " + id, e);
        }
        objects.sort(Comparator.comparing(ObjectInfo::key));
        return List.copyOf(objects);
    }

    /** @since 0.1.0 */
    @Override
    public void delete(String key) {
        ObjectKeys.validate(key);
        try {
            s3.deleteObject(request -> request.bucket(config.bucket()).key(s3Key(key)));
        } catch (NoSuchKeyException e) {
            // already gone
        } catch (RuntimeException e) {
            throw errors.map("cannot delete '" + key + "' from " + id, e);
        }
    }

    /**
     * Lists the multipart uploads under this repository's prefix and {@code prefix} that were started and never
     * completed or aborted. Uploads whose keys are not valid repository keys (another tool's, in a shared bucket)
     * are not reported.
     *
     * @since 0.5.0
     */
    @Override
    public List<io.pgvault.spi.IncompleteWrite> incompleteWrites(String prefix) {
        String validPrefix = ObjectKeys.validatePrefix(prefix);
        List<io.pgvault.spi.IncompleteWrite> writes = new ArrayList<>();
        try {
            for (MultipartUpload upload : s3.listMultipartUploadsPaginator(request -> request
                    .bucket(config.bucket()).prefix(config.prefix() + validPrefix)).uploads()) {
                if (upload.key() == null || !upload.key().startsWith(config.prefix()) || upload.initiated() == null) {
                    continue;
                }
                String key = upload.key().substring(config.prefix().length());
                if (isValidKey(key)) {
                    writes.add(new io.pgvault.spi.IncompleteWrite(key, upload.uploadId(), upload.initiated()));
                }
            }
        } catch (RuntimeException e) {
            throw errors.map("cannot list incomplete uploads under '" + validPrefix + "' in " + id, e);
        }
        return List.copyOf(writes);
    }

    /** @since 0.5.0 */
    @Override
    public void abortIncompleteWrite(io.pgvault.spi.IncompleteWrite write) {
        String key = ObjectKeys.validate(write.key());
        try {
            s3.abortMultipartUpload(request -> request.bucket(config.bucket()).key(config.prefix() + key)
                    .uploadId(write.id()));
        } catch (software.amazon.awssdk.services.s3.model.NoSuchUploadException e) {
            LOG.debug("{}: upload {} of '{}' was already gone", id, write.id(), key);
        } catch (RuntimeException e) {
            throw errors.map("cannot abort the incomplete upload of '" + key + "' in " + id, e);
        }
        LOG.info("{}: aborted the incomplete upload of '{}' started {}", id, key, write.started());
    }

    /**
     * Aborts the incomplete multipart uploads under this repository's prefix, under the folders pgvault writes
     * ({@code data/}, {@code manifests/}, ...: never another tool's in a shared bucket), that were started at least {@code age} ago by the local clock. It knows
     * nothing of live writers: prefer a prune, which sweeps only uploads of sets no live process writes, by the
     * repository's clock ({@link io.pgvault.api.Catalog#abortAbandonedWrites}).
     *
     * @param age how old an upload must be
     * @return how many uploads were aborted
     * @throws S3RepositoryException when listing or aborting fails
     * @since 0.1.0
     */
    public int abortIncompleteUploads(Duration age) {
        Objects.requireNonNull(age, "age");
        Instant before = Instant.now().minus(age);
        int aborted = 0;
        List<String> layout = List.of(RepositoryLayout.DATA, RepositoryLayout.MANIFESTS, RepositoryLayout.INTENTS,
                RepositoryLayout.RECORDS, RepositoryLayout.NOTICES, RepositoryLayout.CLOCK, RepositoryLayout.KEYS);
        for (io.pgvault.spi.IncompleteWrite write : incompleteWrites("")) {
            // only where pgvault writes: another tool's uploads in a shared bucket (pgBackRest's) are not ours
            if (!write.started().isAfter(before) && layout.stream().anyMatch(write.key()::startsWith)) {
                abortIncompleteWrite(write);
                aborted++;
            }
        }
        if (aborted > 0) {
            LOG.info("{}: aborted {} incomplete multipart upload(s) older than {}", id, aborted, age);
        }
        return aborted;
    }

    /**
     * Releases the HTTP connections and upload threads; puts in progress fail. Does nothing on a repository made by
     * {@link #withStorageClass(S3StorageClass)}.
     *
     * @since 0.1.0
     */
    @Override
    public void close() {
        if (owner) {
            uploads.shutdownNow();
            s3.close();
        }
    }

    /** @since 0.1.0 */
    @Override
    public String toString() {
        return "S3Repository[" + id + ", region " + config.region() + ", credentials " + config.credentials()
                + ", storage class " + config.storageClass() + "]";
    }

    private String s3Key(String key) {
        return config.prefix() + key;
    }

    private static boolean isValidKey(String key) {
        try {
            ObjectKeys.validate(key);
            return true;
        } catch (InvalidKeyException e) {
            return false;
        }
    }

    private NotFoundException notFound(String key) {
        return new NotFoundException("no object '" + key + "' in " + id);
    }
}
