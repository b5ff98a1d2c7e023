package io.pgvault.backend.pgdump;

import io.pgvault.api.StoredObject;

import java.util.List;

/**
 * One database of a set to restore.
 *
 * @param source   its name when it was dumped
 * @param name     the database to restore it as
 * @param objects  its objects: one dump, or a directory dump's files
 * @param owner    the owner to give the database, or empty
 * @param encoding the encoding to create it with
 */
record RestoreTarget(String source, String name, List<StoredObject> objects, String owner, String encoding) {
}
