package io.pgvault.internal.pipeline;

import java.security.GeneralSecurityException;

/** A well-formed recipient stanza does not open with the configured key or passphrase. */
final class WrongKeyException extends GeneralSecurityException {
    private static final long serialVersionUID = 1L;

    WrongKeyException(String message) {
        super(message);
    }
}
