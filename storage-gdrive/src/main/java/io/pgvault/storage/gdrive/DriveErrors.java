package io.pgvault.storage.gdrive;

import com.google.api.client.googleapis.json.GoogleJsonError;
import com.google.api.client.googleapis.json.GoogleJsonResponseException;
import com.google.api.client.http.HttpResponseException;
import com.google.auth.Retryable;
import io.pgvault.storage.gdrive.GoogleDriveRepositoryException.Reason;

import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.Locale;
import java.util.Set;

/** Classifies the Google client's exceptions: which to retry, and what to tell the user. */
final class DriveErrors {
    private static final Set<String> RATE_LIMIT_REASONS = Set.of("userRateLimitExceeded", "rateLimitExceeded");
    private static final Set<String> DAILY_LIMIT_REASONS = Set.of("dailyLimitExceeded", "quotaExceeded",
            "dailyLimitExceededUnreg");
    private static final Set<String> DENIED_REASONS = Set.of("insufficientPermissions", "insufficientFilePermissions",
            "forbidden", "appNotAuthorizedToFile", "domainPolicy", "cannotAddParent");
    private static final Set<String> ITEM_LIMIT_REASONS = Set.of("numChildrenInNonRootLimitExceeded",
            "teamDriveFileLimitExceeded");

    private DriveErrors() {
    }

    /** @return whether another attempt may succeed: rate limits, 429, 5xx, 408, broken connections, timeouts */
    static boolean transientFailure(Throwable e) {
        if (interrupted(e)) {
            return false;
        }
        Throwable auth = tokenFailure(e);
        if (auth != null) {
            return ((Retryable) auth).isRetryable();
        }
        if (e instanceof HttpResponseException http) {
            int status = http.getStatusCode();
            if (status == 429 || status == 408 || status >= 500) {
                return true;
            }
            return status == 403 && RATE_LIMIT_REASONS.contains(reason(e)) && !mentionsUploadLimit(e);
        }
        return e instanceof java.io.IOException;
    }

    static Reason classify(Throwable e) {
        if (interrupted(e)) {
            return Reason.INTERRUPTED;
        }
        Throwable auth = tokenFailure(e);
        if (auth != null) {
            return ((Retryable) auth).isRetryable() ? Reason.NETWORK : Reason.CREDENTIALS_REJECTED;
        }
        if (e instanceof HttpResponseException http) {
            int status = http.getStatusCode();
            String reason = reason(e);
            if (status == 401) {
                return Reason.CREDENTIALS_REJECTED;
            }
            if ("storageQuotaExceeded".equals(reason)) {
                return Reason.STORAGE_QUOTA_EXCEEDED;
            }
            if (ITEM_LIMIT_REASONS.contains(reason)) {
                return Reason.ITEM_LIMIT_EXCEEDED;
            }
            if ("uploadLimitExceeded".equals(reason) || mentionsUploadLimit(e)) {
                return Reason.UPLOAD_LIMIT_EXCEEDED;
            }
            if (DAILY_LIMIT_REASONS.contains(reason)) {
                return Reason.DAILY_LIMIT_EXCEEDED;
            }
            if (status == 429 || RATE_LIMIT_REASONS.contains(reason)) {
                return Reason.RATE_LIMITED;
            }
            if (status == 403 && (DENIED_REASONS.contains(reason) || reason == null)) {
                return Reason.ACCESS_DENIED;
            }
            return Reason.SERVICE;
        }
        if (find(e, SocketTimeoutException.class) != null) {
            return Reason.TIMEOUT;
        }
        return e instanceof java.io.IOException ? Reason.NETWORK : Reason.SERVICE;
    }

    /** @return whether this is a 403 rate-limit answer, the shape of both a rate limit and the daily upload limit */
    static boolean rateLimit(Throwable e) {
        return e instanceof HttpResponseException http && http.getStatusCode() == 403
                && RATE_LIMIT_REASONS.contains(reason(e));
    }

    static boolean notFound(Throwable e) {
        return e instanceof HttpResponseException http && http.getStatusCode() == 404;
    }

    /** @return {@code errors[0].reason} of a Drive error response, or null */
    static String reason(Throwable e) {
        if (e instanceof GoogleJsonResponseException json && json.getDetails() != null) {
            GoogleJsonError details = json.getDetails();
            if (details.getErrors() != null && !details.getErrors().isEmpty()) {
                return details.getErrors().get(0).getReason();
            }
        }
        return null;
    }

    /** Drive's words: status, reason and message, never request headers (which carry the bearer token). */
    static String detail(Throwable e) {
        if (e instanceof GoogleJsonResponseException json && json.getDetails() != null) {
            String reason = reason(e);
            return "HTTP " + json.getStatusCode() + (reason == null ? "" : " " + reason) + ": "
                    + json.getDetails().getMessage();
        }
        if (e instanceof HttpResponseException http) {
            return "HTTP " + http.getStatusCode() + " " + http.getStatusMessage();
        }
        Throwable auth = tokenFailure(e);
        if (auth != null) {
            return "the token endpoint refused the credentials: " + firstLine(auth.getMessage());
        }
        return e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
    }

    private static boolean mentionsUploadLimit(Throwable e) {
        if (e instanceof GoogleJsonResponseException json && json.getDetails() != null
                && json.getDetails().getMessage() != null) {
            return json.getDetails().getMessage().toLowerCase(Locale.ROOT).contains("upload limit");
        }
        return false;
    }

    private static boolean interrupted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException
                    || (t instanceof InterruptedIOException && !(t instanceof SocketTimeoutException))) {
                return true;
            }
        }
        return false;
    }

    /** The auth library's token-endpoint failure (a package-private class implementing {@link Retryable}). */
    private static Throwable tokenFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof Retryable) {
                return t;
            }
        }
        return null;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
