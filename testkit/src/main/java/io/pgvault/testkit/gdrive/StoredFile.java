package io.pgvault.testkit.gdrive;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A file or folder in the fake's state; guarded by the {@link FakeState} lock. */
final class StoredFile {
    final String id;
    String name;
    String mimeType;
    final List<String> parents = new ArrayList<>();
    boolean trashed;
    String driveId;
    Path content;
    long size;
    String md5;
    /** App properties by the Cloud project that set them: Drive shows each project only its own. */
    private final Map<String, Map<String, String>> appProperties = new LinkedHashMap<>();
    final Instant created;
    Instant modified;
    long version = 1;

    StoredFile(String id, Instant created) {
        this.id = id;
        this.created = created;
        this.modified = created;
    }

    boolean isFolder() {
        return DriveV3Fake.FOLDER_MIME_TYPE.equals(mimeType);
    }

    /** @return the app properties {@code project} set (and sees), mutable */
    Map<String, String> appProperties(String project) {
        return appProperties.computeIfAbsent(project, p -> new LinkedHashMap<>());
    }

    DriveFile snapshot(boolean effectivelyTrashed) {
        return new DriveFile(id, name, mimeType, parents, effectivelyTrashed, Optional.ofNullable(driveId), size,
                Optional.ofNullable(md5), appProperties(FakeState.DEFAULT_PROJECT), created, modified);
    }
}
