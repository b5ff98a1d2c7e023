package io.pgvault.backend.pgdump;

import io.pgvault.api.IntegrityException;

/**
 * A plain-format dump or globals script contains something psql would act on as a client-side command, or text
 * whose meaning psql could be made to read differently from how it was checked (a psql meta-command, a variable
 * reference, an ambiguous string literal, a COPY statement other than pg_dump's own, ...). The script was stopped
 * before psql received the offending construct. The message names what was found and its line, quoting at most a
 * short, escaped excerpt.
 *
 * @since 0.1.0
 */
public final class UnsafeScriptException extends IntegrityException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** @param message what was found and where, with a short escaped excerpt */
    public UnsafeScriptException(String message) {
        super(message);
    }
}
