package io.pgvault.storage.s3;

import io.pgvault.api.NotFoundException;
import io.pgvault.spi.ObjectKeys;
import io.pgvault.storage.s3.S3RepositoryException.Reason;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.RestoreObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One retrieval of archived objects: HeadObject every key (so a missing key fails before anything is paid for),
 * RestoreObject those in GLACIER or DEEP_ARCHIVE that are neither restored nor being restored, then poll the rest.
 * What S3 says, per its API reference: HeadObject's {@code x-amz-restore} is absent before any restore,
 * {@code ongoing-request="true"} while one runs, {@code ongoing-request="false", expiry-date="..."} once the copy is
 * readable; RestoreObject answers 202 when it starts a restore, 200 when a restored copy exists, 409
 * RestoreAlreadyInProgress while one runs, 403 InvalidObjectState for an object not in an archive class; sent for an
 * object restored already, it moves the copy's expiry to now + Days ("you can update the restoration period by
 * reissuing the request with a new period"), which is how a copy that would expire before the read is kept.
 * <p>While waiting, a HeadObject that fails in a way a later poll may not (5xx, throttling, timeouts, a broken
 * connection: the SDK has retried already) counts as "still pending" and is reported with the timeout; a poll that shows
 * no restore at all gets one more RestoreObject per object (the request was lost), a second such poll fails with
 * {@link Reason#ARCHIVE_RESTORE_UNREPORTED}: a store that never sends {@code x-amz-restore} would otherwise get a
 * request per object per poll for the whole timeout.
 */
final class ArchiveRetriever {
    private static final Set<String> ARCHIVE_CLASSES = Set.of("GLACIER", "DEEP_ARCHIVE");
    private static final Pattern ONGOING = Pattern.compile("ongoing-request\\s*=\\s*\"(true|false)\"",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern EXPIRY = Pattern.compile("expiry-date\\s*=\\s*\"([^\"]+)\"",
            Pattern.CASE_INSENSITIVE);

    private final S3Client s3;
    private final S3RepositoryConfig config;
    private final S3Errors errors;
    private final ArchiveRetrieval retrieval;
    private final Consumer<ArchiveProgress> progress;
    private final Instant start = Instant.now();

    /** Archived keys and their sizes, in the order asked. */
    private final Map<String, Long> archived = new LinkedHashMap<>();
    private final Set<String> pending = new LinkedHashSet<>();
    private Instant earliestExpiry;
    private int requestsSent;
    /** RestoreObjects sent while polling, per key: one each at most. */
    private final Map<String, Integer> resent = new HashMap<>();
    private int pollFailures;
    private S3RepositoryException lastPollFailure;

    ArchiveRetriever(S3Client s3, S3RepositoryConfig config, S3Errors errors, ArchiveRetrieval retrieval,
            Consumer<ArchiveProgress> progress) {
        this.s3 = s3;
        this.config = config;
        this.errors = errors;
        this.retrieval = retrieval;
        this.progress = progress;
    }

    ArchiveRetrievalResult run(Collection<String> keys) {
        Set<String> distinct = new LinkedHashSet<>();
        keys.forEach(key -> distinct.add(ObjectKeys.validate(key)));
        Map<String, HeadObjectResponse> heads = new LinkedHashMap<>();
        for (String key : distinct) {
            heads.put(key, head(key));
        }
        heads.forEach((key, head) -> {
            if (isArchived(head)) {
                archived.put(key, head.contentLength() == null ? 0L : head.contentLength());
                switch (restoreState(head)) {
                    case NONE -> request(key);
                    case ONGOING -> pending.add(key);
                    case DONE -> restored(key, head);
                }
            }
        });
        report();
        while (!pending.isEmpty()) {
            Duration left = retrieval.timeout().minus(elapsed());
            if (left.isNegative() || left.isZero()) {
                throw timedOut();
            }
            sleep(left.compareTo(retrieval.pollInterval()) < 0 ? left : retrieval.pollInterval());
            poll();
            report();
        }
        return new ArchiveRetrievalResult(distinct.size(), List.copyOf(archived.keySet()), bytes(archived.keySet()),
                requestsSent, elapsed(), Optional.ofNullable(earliestExpiry));
    }

    private void poll() {
        for (String key : List.copyOf(pending)) {
            Optional<HeadObjectResponse> polled = pollHead(key);
            if (polled.isEmpty()) {
                continue; // failed this time: still pending
            }
            HeadObjectResponse head = polled.get();
            if (!isArchived(head)) { // copied back to a readable class meanwhile
                pending.remove(key);
                continue;
            }
            switch (restoreState(head)) {
                case DONE -> {
                    pending.remove(key);
                    restored(key, head);
                }
                case NONE -> { // the request was lost (or the copy expired): ask once more, then give up
                    pending.remove(key);
                    resend(key);
                }
                case ONGOING -> { }
            }
        }
    }

    /** S3's answers to RestoreObject that are no error. */
    private enum Answer { STARTED, RESTORED, IN_PROGRESS, NOT_ARCHIVED }

    /** A readable copy; asked for again when it could expire before the wait and the read are over. */
    private void restored(String key, HeadObjectResponse head) {
        Optional<Instant> expiry = expiry(head.restore());
        Instant readBy = start.plus(retrieval.timeout()).plus(ArchiveRetrieval.READ_MARGIN);
        if (expiry.isPresent() && expiry.get().isBefore(readBy)) {
            if (request(key) == Answer.RESTORED) { // S3 rounds the new expiry up to a midnight: at least this
                noteExpiry(Instant.now().plus(Duration.ofDays(retrieval.days())));
            }
            return; // else expired meanwhile and being restored anew (pending), or out of the archive
        }
        expiry.ifPresent(this::noteExpiry);
    }

    private void resend(String key) {
        if (resent.merge(key, 1, Integer::sum) > 1) {
            throw new S3RepositoryException(Reason.ARCHIVE_RESTORE_UNREPORTED, "'" + key + "' in " + config.id()
                    + " is still archived and HeadObject shows no restore of it (no x-amz-restore header), although "
                    + "RestoreObject was sent twice and not refused: the store does not report restore progress "
                    + "(x-amz-restore), so pgvault cannot tell when the object is readable; retrieve by hand (the "
                    + "store's own tool, or aws s3api restore-object --bucket " + config.bucket() + " --key "
                    + config.prefix() + key + " ... for each object of the set), wait until the objects read, then "
                    + "restore again", null);
        }
        request(key);
    }

    /** HeadObject while waiting: a failure a later poll may not meet is counted and taken as "still pending". */
    private Optional<HeadObjectResponse> pollHead(String key) {
        try {
            return Optional.of(head(key));
        } catch (S3RepositoryException e) {
            if (!S3Errors.transientFailure(e.getCause())) {
                throw e;
            }
            pollFailures++;
            lastPollFailure = e;
            return Optional.empty();
        }
    }

    /** Sends RestoreObject; the key is pending afterwards when a restore started or is running. */
    private Answer request(String key) {
        String action = "cannot request the retrieval of '" + key + "' from the archive in " + config.id();
        try {
            RestoreObjectResponse response = s3.restoreObject(request -> request.bucket(config.bucket())
                    .key(config.prefix() + key).restoreRequest(restore -> restore.days(retrieval.days())
                            .glacierJobParameters(job -> job.tier(retrieval.tier().wireName()))));
            if (response.sdkHttpResponse().statusCode() == 200) { // restored already; its expiry moved
                return Answer.RESTORED;
            }
            requestsSent++;
            pending.add(key);
            return Answer.STARTED;
        } catch (S3Exception e) {
            String code = S3Errors.errorCode(e);
            if (e.statusCode() == 409 && "RestoreAlreadyInProgress".equals(code)) {
                pending.add(key); // another client's (or an earlier run's) retrieval: wait for it
                return Answer.IN_PROGRESS;
            } else if ("InvalidObjectState".equals(code)) {
                return Answer.NOT_ARCHIVED; // no longer in an archive class: readable as it is
            } else if ("GlacierExpeditedRetrievalNotAvailable".equals(code)) {
                throw new S3RepositoryException(Reason.SERVICE, action + ": S3 has no capacity for Expedited "
                        + "retrievals now (HTTP 503 GlacierExpeditedRetrievalNotAvailable): retry later, or use tier "
                        + "STANDARD", e);
            } else {
                throw errors.map(action, e);
            }
        } catch (RuntimeException e) {
            throw errors.map(action, e);
        }
    }

    private HeadObjectResponse head(String key) {
        String action = "cannot check the storage class of '" + key + "' in " + config.id();
        try {
            return s3.headObject(request -> request.bucket(config.bucket()).key(config.prefix() + key));
        } catch (NoSuchKeyException e) {
            throw new NotFoundException("no object '" + key + "' in " + config.id());
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new NotFoundException("no object '" + key + "' in " + config.id());
            }
            throw errors.map(action, e);
        } catch (RuntimeException e) {
            throw errors.map(action, e);
        }
    }

    private void noteExpiry(Instant expiry) {
        if (earliestExpiry == null || expiry.isBefore(earliestExpiry)) {
            earliestExpiry = expiry;
        }
    }

    private void report() {
        Set<String> ready = new LinkedHashSet<>(archived.keySet());
        ready.removeAll(pending);
        progress.accept(new ArchiveProgress(ready.size(), archived.size(), bytes(ready), bytes(archived.keySet()),
                elapsed()));
    }

    private ArchiveRetrievalTimeoutException timedOut() {
        ArchiveRetrievalTimeoutException e = new ArchiveRetrievalTimeoutException(pending.size() + " of " + archived.size()
                + " archived object(s) in " + config.id() + " still being restored from the archive after "
                + retrieval.timeout() + " (tier " + retrieval.tier() + "; Standard takes hours, Deep Archive up to "
                + "12 h, Bulk up to 48 h), e.g. '" + pending.iterator().next() + "'. The retrieval requests stay in "
                + "force at S3: running the same restore again later is safe, sends no second request for these "
                + "objects and goes on waiting; or raise archiveRetrieval's timeout" + (pollFailures == 0 ? ""
                : ". " + pollFailures + " HeadObject(s) failed while polling and were taken as still pending, the "
                + "last: " + lastPollFailure.getMessage()), archived.size(), List.copyOf(pending));
        if (lastPollFailure != null) {
            e.addSuppressed(lastPollFailure);
        }
        return e;
    }

    private void sleep(Duration duration) {
        try {
            Thread.sleep(Math.max(1, duration.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new S3RepositoryException(Reason.INTERRUPTED, "interrupted while waiting for " + pending.size()
                    + " archived object(s) in " + config.id() + " to be restored; the retrieval requests stay in "
                    + "force at S3", e);
        }
    }

    private long bytes(Collection<String> keys) {
        return keys.stream().mapToLong(archived::get).sum();
    }

    private Duration elapsed() {
        return Duration.between(start, Instant.now());
    }

    private static boolean isArchived(HeadObjectResponse head) {
        String storageClass = head.storageClassAsString(); // absent for STANDARD; Set.of refuses null
        return storageClass != null && ARCHIVE_CLASSES.contains(storageClass);
    }

    private enum RestoreState { NONE, ONGOING, DONE }

    private static RestoreState restoreState(HeadObjectResponse head) {
        Matcher m = head.restore() == null ? null : ONGOING.matcher(head.restore());
        if (m == null || !m.find()) {
            return RestoreState.NONE;
        }
        return Boolean.parseBoolean(m.group(1)) ? RestoreState.ONGOING : RestoreState.DONE;
    }

    /** {@code expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"}: an RFC 1123 date, as S3 writes HTTP dates. */
    static Optional<Instant> expiry(String restoreHeader) {
        Matcher m = restoreHeader == null ? null : EXPIRY.matcher(restoreHeader);
        if (m == null || !m.find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(ZonedDateTime.parse(m.group(1), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty(); // a date we cannot read does not make the object less readable
        }
    }
}
