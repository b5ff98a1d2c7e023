package io.pgvault.internal.pipeline;

import java.security.GeneralSecurityException;

/** A recipient stanza breaks the age format: the header is damaged or hostile, whatever the key. */
final class MalformedStanzaException extends GeneralSecurityException {
    private static final long serialVersionUID = 1L;

    MalformedStanzaException(String message) {
        super(message);
    }
}
