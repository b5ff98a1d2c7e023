package io.pgvault.testkit.gdrive;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;

/** A resumable upload session; guarded by its own monitor. */
final class UploadSession {
    final String id;
    final JsonNode metadata;
    final String contentType;
    final String fields;
    final boolean supportsAllDrives;
    final Path data;
    long received;
    long total = -1;
    String fileId;
    boolean cancelled;
    /** The Cloud project of the credentials that started the session: the file and its app properties are its. */
    String project;

    UploadSession(String id, JsonNode metadata, String contentType, String fields, boolean supportsAllDrives,
            Path data) {
        this.id = id;
        this.metadata = metadata;
        this.contentType = contentType;
        this.fields = fields;
        this.supportsAllDrives = supportsAllDrives;
        this.data = data;
    }

    boolean open() {
        return fileId == null && !cancelled;
    }
}
