package io.pgvault.backend.pgdump;

import io.pgvault.api.BackupSet;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.StoredObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a pg_dump set is laid out, read back from its manifest: the format, the optional globals object, and the
 * objects of each database in the order they were written.
 *
 * @param format    the dump format
 * @param globals   the {@code pg_dumpall --globals-only} object, if recorded
 * @param databases per database (by real name, in dump order) its objects: one dump, or a directory's files
 */
record SetLayout(DumpFormat format, Optional<StoredObject> globals, Map<String, List<StoredObject>> databases) {

    static SetLayout of(BackupSet set) {
        if (!PgDumpStrategy.NAME.equals(set.strategy())) {
            throw new ConfigurationException("backup set " + set.id() + " was written by strategy '" + set.strategy()
                    + "', not '" + PgDumpStrategy.NAME + "'");
        }
        String label = set.attribute("format").orElseThrow(() -> new IntegrityException(
                "backup set " + set.id() + " does not record its pg_dump format"));
        DumpFormat format;
        try {
            format = DumpFormat.fromLabel(label);
        } catch (IllegalArgumentException e) {
            throw new IntegrityException("backup set " + set.id() + ": " + e.getMessage());
        }
        StoredObject globals = null;
        Map<String, List<StoredObject>> dbs = new LinkedHashMap<>();
        for (StoredObject o : set.objects()) {
            switch (o.attribute("role")) {
                case "globals" -> globals = o;
                case StoredObject.SET_KEY_ROLE -> {
                    // the set's key file (passphrase sets): the pipeline opens it, no tool reads it
                }
                case "dump" -> {
                    String db = o.attribute("database");
                    if (db.isEmpty()) {
                        throw new IntegrityException("object " + o.name() + " of set " + set.id()
                                + " does not record its database");
                    }
                    dbs.computeIfAbsent(db, k -> new ArrayList<>()).add(o);
                }
                default -> throw new IntegrityException("object " + o.name() + " of set " + set.id()
                        + " has an unknown role '" + o.attribute("role") + "'");
            }
        }
        return new SetLayout(format, Optional.ofNullable(globals), dbs);
    }
}
