package io.pgvault.storage.s3;

import io.pgvault.storage.s3.S3RepositoryException.Reason;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.security.cert.CertificateException;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/** Turns the SDK's exceptions into {@link S3RepositoryException}s that say what went wrong in words. */
final class S3Errors {
    private static final Set<String> CREDENTIAL_CODES = Set.of("InvalidAccessKeyId", "SignatureDoesNotMatch",
            "InvalidToken", "ExpiredToken", "TokenRefreshRequired", "InvalidSecurity", "AuthorizationHeaderMalformed");

    /** Error codes of S3 (and compatible stores) asking the client to slow down or try again. */
    private static final Set<String> THROTTLING_CODES = Set.of("SlowDown", "Throttling", "ThrottlingException",
            "RequestLimitExceeded", "TooManyRequests", "RequestTimeout", "InternalError", "ServiceUnavailable");

    private final S3RepositoryConfig config;

    S3Errors(S3RepositoryConfig config) {
        this.config = config;
    }

    /**
     * @param action what was being done, e.g. {@code cannot store 'a/b' in s3://bucket}
     * @param e      the failure
     * @return an exception to throw, naming the action and the cause without secrets
     */
    S3RepositoryException map(String action, Throwable e) {
        Reason reason = classify(e);
        String message = switch (reason) {
            case CREDENTIALS_REJECTED -> action + ": the credentials (" + config.credentials()
                    + ") were rejected or could not be loaded: " + detail(e);
            case ACCESS_DENIED -> action + ": access denied to bucket '" + config.bucket() + "' for the credentials ("
                    + config.credentials() + "): " + detail(e);
            case BUCKET_NOT_FOUND -> action + ": bucket '" + config.bucket() + "' does not exist"
                    + config.endpoint().map(uri -> " at " + uri).orElse(" in region " + config.region());
            case TIMEOUT -> action + ": timed out: " + detail(e);
            case INTERRUPTED -> action + ": interrupted";
            case CERTIFICATE_REJECTED -> action + ": the TLS certificate of "
                    + config.endpoint().map(Object::toString).orElse("S3 in " + config.region())
                    + " is not trusted or does not name its host; trusted are the certificates in "
                    + config.caFile().map(Object::toString).orElse("the JVM's default trust store")
                    + ": set caFile to the PEM of the CA that signed it (verifyTls(false) only for a throwaway test "
                    + "server): " + detail(e);
            case ARCHIVED -> action + ": the object is in an archive storage class (S3 Glacier Flexible Retrieval "
                    + "or Deep Archive, e.g. moved there by a lifecycle rule) and must be restored from the archive "
                    + "before it can be read: aws s3api restore-object --bucket " + config.bucket() + " --key <key> "
                    + "--restore-request Days=7,GlacierJobParameters={Tier=Standard} for each object of the set "
                    + "(hours; Deep Archive up to 48 h), then retry; or let pgvault request the retrieval and wait "
                    + "for it: S3RepositoryConfig archiveRetrieval(ArchiveRetrieval.defaults()) (runbook "
                    + "full-restore.md): " + detail(e);
            case NETWORK -> action + ": cannot talk to "
                    + config.endpoint().map(Object::toString).orElse("S3 in " + config.region()) + ": " + detail(e);
            default -> action + ": " + detail(e);
        };
        return new S3RepositoryException(reason, message, e);
    }

    static Reason classify(Throwable e) {
        if (e instanceof S3RepositoryException s3) {
            return s3.reason();
        }
        if (e instanceof S3Exception s3) {
            String code = errorCode(s3);
            if ("NoSuchBucket".equals(code)) {
                return Reason.BUCKET_NOT_FOUND;
            }
            if (code != null && CREDENTIAL_CODES.contains(code)) { // a HEAD error has no body, so no code
                return Reason.CREDENTIALS_REJECTED;
            }
            if ("InvalidObjectState".equals(code)) { // a 403, but no permission is missing
                return Reason.ARCHIVED;
            }
            if ("AccessDenied".equals(code) || s3.statusCode() == 403) {
                return Reason.ACCESS_DENIED;
            }
            return Reason.SERVICE;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SSLHandshakeException || t instanceof SSLPeerUnverifiedException
                    || t instanceof CertificateException) {
                return Reason.CERTIFICATE_REJECTED;
            }
            if (t instanceof ApiCallAttemptTimeoutException || t instanceof ApiCallTimeoutException
                    || t instanceof SocketTimeoutException) {
                return Reason.TIMEOUT;
            }
            if (t instanceof AbortedException || t instanceof InterruptedException
                    || t instanceof InterruptedIOException) {
                return Reason.INTERRUPTED;
            }
        }
        if (e instanceof SdkClientException && String.valueOf(e.getMessage()).contains("credentials")) {
            return Reason.CREDENTIALS_REJECTED;
        }
        if (e instanceof SdkException) {
            return Reason.NETWORK;
        }
        return Reason.SERVICE;
    }

    /**
     * @param e a failure of one request, after the SDK's own retries
     * @return whether the same request later may succeed: a 5xx, throttling, a timeout or a broken connection
     */
    static boolean transientFailure(Throwable e) {
        if (e instanceof S3Exception s3) {
            String code = errorCode(s3);
            return s3.statusCode() >= 500 || s3.statusCode() == 429 || code != null && THROTTLING_CODES.contains(code);
        }
        Reason reason = classify(e);
        return reason == Reason.NETWORK || reason == Reason.TIMEOUT;
    }

    static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    /** The SDK's own words, without the request's signature or headers. */
    private static String detail(Throwable e) {
        if (e instanceof S3Exception s3 && s3.awsErrorDetails() != null) {
            return "HTTP " + s3.statusCode() + " " + s3.awsErrorDetails().errorCode() + ": "
                    + s3.awsErrorDetails().errorMessage()
                    + (s3.requestId() == null ? "" : " (request id " + s3.requestId() + ")");
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
