package io.pgvault.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pgvault.api.BackupId;
import io.pgvault.api.BackupSet;
import io.pgvault.api.StoredObject;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.RepositoryLayout;
import io.pgvault.api.retention.Pin;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.Repository;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Facts learnt about a set after it was committed (verified, pinned, unpinned), each in its own append-only object
 * under {@code records/<id>/}, so a process holding an old snapshot of a set can add a fact without rewriting
 * anything another process wrote. A set as listed is its manifest with its records folded in.
 */
public final class SetRecords {
    /** A pin embedded in a manifest of format 1 is revoked under this name. */
    static final String MANIFEST_PIN = "manifest";

    private SetRecords() {
    }

    /** One record as read: its object name, kind and facts. */
    public record Entry(String name, String kind, Optional<Instant> at, Optional<String> until, List<String> revokes,
            Instant written, Map<String, String> facts) {
        /** Copies the facts. */
        public Entry {
            facts = facts == null ? Map.of() : Map.copyOf(facts);
        }
    }

    /** The kind of a record that moves a set's key file: its key re-wrapped with another passphrase. */
    static final String REKEY = "rekey";
    /** The facts of a rekey record, in the order its MAC covers them. */
    private static final List<String> REKEY_FACTS = List.of("replaces", "key", "storedBytes", "storedSha256",
            "logicalBytes", "logicalSha256", "ageHeaderSha256");

    /** The kind of a record that revokes pins. */
    static final String UNPIN = "unpin";

    /**
     * Decides whether a record that takes something from a set may act: a rekey record (moves the set's key file)
     * or an unpin record (releases pins, so that retention may delete the set). Both must be signed with the
     * catalog's key when it has one (ADR 0013); records that only add (pins, verifications) need no signature.
     */
    @FunctionalInterface
    public interface RekeyCheck {
        /**
         * A reader without a key: trusts no rekey record, and every unpin record, as before unpins were signed (it
         * cannot tell a forged one).
         */
        RekeyCheck NONE = (id, entry) -> entry.kind().equals(UNPIN);

        /**
         * @param id     the set
         * @param record one of its rekey or unpin records
         * @return whether it is authentic
         */
        boolean trusted(BackupId id, Entry record);
    }

    /**
     * Records that a set's key file was re-wrapped (another passphrase, same key): from now on its objects are
     * opened with {@code keyFile} instead of {@code replaces}. Nothing in the manifest changes. The record is signed
     * like a manifest (ADR 0013): an unsigned record would let whoever can write the repository take the file the
     * authenticated manifest names out of the set, and debris collection would then delete it and byte-for-byte tiers
     * would copy the planted file in its place.
     *
     * @param repository the store
     * @param id         the set
     * @param keyFile    the new key file's entry
     * @param replaces   the key of the file it replaces
     * @param seal       signs the record (the catalog's key; a rotation needs an integrity key)
     */
    public static void rekeyed(Repository repository, BackupId id, StoredObject keyFile, String replaces,
            ManifestSeal seal) {
        ObjectNode doc = doc(id, REKEY);
        Map<String, String> facts = new HashMap<>();
        facts.put("replaces", replaces);
        facts.put("key", keyFile.key());
        facts.put("storedBytes", Long.toString(keyFile.storedBytes()));
        facts.put("storedSha256", keyFile.storedSha256());
        facts.put("logicalBytes", Long.toString(keyFile.logicalBytes()));
        facts.put("logicalSha256", keyFile.logicalSha256());
        facts.put("ageHeaderSha256", keyFile.attribute(io.pgvault.internal.pipeline.Encoded.AGE_HEADER_ATTRIBUTE));
        doc.put("replaces", replaces);
        doc.put("key", keyFile.key());
        doc.put("storedBytes", keyFile.storedBytes());
        doc.put("storedSha256", keyFile.storedSha256());
        doc.put("logicalBytes", keyFile.logicalBytes());
        doc.put("logicalSha256", keyFile.logicalSha256());
        doc.put("ageHeaderSha256", facts.get("ageHeaderSha256"));
        String name = REKEY + "-" + UUID.randomUUID() + ".json";
        doc.set("auth", seal.sign(rekeyName(id, name), 1, rekeyPayload(id, facts)));
        repository.put(RepositoryLayout.recordsPrefix(id) + name, out -> Json.write(out, doc));
    }

    /**
     * @param id   a set
     * @param name a rekey record's object name
     * @return the name its MAC binds it to (its key; never a set id, so never a manifest's)
     */
    public static String rekeyName(BackupId id, String name) {
        return recordName(REKEY, id, name);
    }

    /**
     * @param id    a set
     * @param facts a rekey record's facts
     * @return the bytes its MAC covers
     */
    public static byte[] rekeyPayload(BackupId id, Map<String, String> facts) {
        StringBuilder b = new StringBuilder(id.value());
        for (String f : REKEY_FACTS) {
            b.append('\0').append(facts.getOrDefault(f, ""));
        }
        return b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * @param records a set's records
     * @return every key file any rekey record names, authentic or not: debris collection keeps them (a planted one
     *         names a file of the attacker's, which costs only its space)
     */
    public static Set<String> rekeyFiles(Map<String, Entry> records) {
        Set<String> keys = new HashSet<>();
        if (records != null) {
            records.values().stream().filter(e -> e.kind().equals(REKEY))
                    .map(e -> e.facts().getOrDefault("key", "")).filter(k -> !k.isEmpty()).forEach(keys::add);
        }
        return keys;
    }

    /**
     * @param repository the store
     * @param id         the set
     * @param at         when it was proven intact or restorable
     */
    public static void verified(Repository repository, BackupId id, Instant at) {
        ObjectNode doc = doc(id, "verified");
        doc.put("at", at.toString());
        String name = write(repository, id, "verified", doc);
        // older verified records no longer change the fold (the newest wins); drop them so they do not pile up
        for (ObjectInfo info : repository.list(RepositoryLayout.recordsPrefix(id))) {
            String other = info.key().substring(RepositoryLayout.recordsPrefix(id).length());
            if (other.startsWith("verified-") && !other.equals(name)) {
                read(repository, id, info).flatMap(Entry::at).filter(t -> !t.isAfter(at))
                        .ifPresent(t -> repository.delete(info.key()));
            }
        }
    }

    /**
     * @param repository the store
     * @param id         the set
     * @param pin        the pin
     */
    public static String pin(Repository repository, BackupId id, Pin pin) {
        ObjectNode doc = doc(id, "pin");
        doc.put("until", pin.toString());
        return write(repository, id, "pin", doc);
    }

    /**
     * Announces that a prune is about to delete the set; a pin written concurrently sees it and reports failure,
     * while the prune sees the pin and stands back (each writes, then reads: at least one sees the other).
     *
     * @param repository the store
     * @param id         the set
     * @return the record's key, for removal when the prune stands back
     */
    public static String deleting(Repository repository, BackupId id) {
        return RepositoryLayout.recordsPrefix(id) + write(repository, id, "deleting", doc(id, "deleting"));
    }

    /** The kind of the record a debris sweep writes before it judges a set's objects. */
    public static final String SWEEPING = "sweeping";

    /**
     * Announces that a debris sweep is about to judge the set's objects: a writer committing the set at the same
     * moment sees it after writing its manifest and takes the manifest back, while the sweep, reading the manifest
     * after writing this, keeps what it names (each writes, then reads: at least one sees the other).
     *
     * @param repository the store
     * @param id         the set
     */
    public static String sweeping(Repository repository, BackupId id) {
        return RepositoryLayout.recordsPrefix(id) + write(repository, id, SWEEPING, doc(id, SWEEPING));
    }

    /**
     * @param repository the store
     * @param id         a set
     * @param since      the store time the writer's claim was created: a sweep that took it over wrote its record
     *                   then or later, and an older record (a sweep of an earlier attempt at the same id, as a
     *                   resumed tier copy makes) is no sign against this writer
     * @return whether a debris sweep has announced, since then, that it judges the set's objects
     */
    public static boolean swept(Repository repository, BackupId id, Instant since) {
        return repository.list(RepositoryLayout.recordsPrefix(id)).stream()
                .filter(i -> i.key().substring(i.key().lastIndexOf('/') + 1).startsWith(SWEEPING + "-"))
                .anyMatch(i -> !i.lastModified().isBefore(since));
    }

    /**
     * Revokes every pin of the set seen now; a pin written concurrently is not revoked.
     *
     * @param repository the store
     * @param id         the set
     * @param seen       its records as read now
     */
    public static void unpin(Repository repository, BackupId id, Map<String, Entry> seen, ManifestSeal seal) {
        ObjectNode doc = doc(id, UNPIN);
        ArrayNode revokes = doc.putArray("revokes");
        List<String> revoked = new ArrayList<>();
        revoked.add(MANIFEST_PIN);
        seen.values().stream().filter(e -> e.kind().equals("pin")).map(Entry::name).sorted().forEach(revoked::add);
        revoked.forEach(revokes::add);
        String name = UNPIN + "-" + UUID.randomUUID() + ".json";
        if (seal.canSign()) { // a forged unpin must not release a pin: signed like a manifest (ADR 0013)
            doc.set("auth", seal.sign(recordName(UNPIN, id, name), 1, unpinPayload(id, revoked)));
        }
        repository.put(RepositoryLayout.recordsPrefix(id) + name, out -> Json.write(out, doc));
    }

    /**
     * @param kind a record's kind
     * @param id   a set
     * @param name the record's object name
     * @return the name its MAC binds it to (kind and key; never a set id, so never a manifest's)
     */
    public static String recordName(String kind, BackupId id, String name) {
        return kind + ":" + RepositoryLayout.recordsPrefix(id) + name;
    }

    /**
     * @param id      a set
     * @param revokes an unpin record's revoked pin names, in its order
     * @return the bytes its MAC covers
     */
    public static byte[] unpinPayload(BackupId id, List<String> revokes) {
        StringBuilder b = new StringBuilder(id.value());
        revokes.forEach(r -> b.append('\0').append(r));
        return b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * @param repository the store
     * @return every readable record, by set id and then by record name
     */
    public static Map<String, Map<String, Entry>> readAll(Repository repository) {
        Map<String, Map<String, Entry>> all = new HashMap<>();
        for (ObjectInfo info : repository.list(RepositoryLayout.RECORDS)) {
            Optional<String> owner = RepositoryLayout.owner(RepositoryLayout.RECORDS, info.key());
            if (owner.isEmpty()) {
                continue;
            }
            BackupId id;
            try {
                id = BackupId.of(owner.get());
            } catch (ConfigurationException e) {
                continue;
            }
            read(repository, id, info).ifPresent(e -> all.computeIfAbsent(owner.get(), k -> new HashMap<>())
                    .put(e.name(), e));
        }
        return all;
    }

    /**
     * @param repository the store
     * @param id         a set
     * @return its readable records by name
     */
    public static Map<String, Entry> readOf(Repository repository, BackupId id) {
        Map<String, Entry> entries = new HashMap<>();
        for (ObjectInfo info : repository.list(RepositoryLayout.recordsPrefix(id))) {
            read(repository, id, info).ifPresent(e -> entries.put(e.name(), e));
        }
        return entries;
    }

    /**
     * @param set     a set as its manifest says
     * @param records its records
     * @return the set with the records' facts: the newest verification, and the pins that nobody revoked
     */
    public static BackupSet fold(BackupSet set, Map<String, Entry> records) {
        return fold(set, records, RekeyCheck.NONE);
    }

    /**
     * @param set     a set as its manifest says
     * @param records its records
     * @param rekeys  which rekey and unpin records are authentic (only those move the set's key file or release
     *                its pins)
     * @return the set with the records' facts: the newest verification, the pins that no trusted unpin record
     *         revoked, and the key files authentic rekey records moved
     */
    public static BackupSet fold(BackupSet set, Map<String, Entry> records, RekeyCheck rekeys) {
        if (records == null || records.isEmpty()) {
            return set;
        }
        Optional<Instant> verified = set.lastVerified();
        Set<String> revoked = new HashSet<>();
        for (Entry e : records.values()) {
            if (e.kind().equals("verified") && e.at().isPresent()
                    && (verified.isEmpty() || e.at().get().isAfter(verified.get()))) {
                verified = e.at();
            }
            if (e.kind().equals(UNPIN) && rekeys.trusted(set.id(), e)) {
                revoked.addAll(e.revokes());
            }
        }
        List<String> pins = new ArrayList<>();
        set.attribute(Pin.ATTRIBUTE).filter(p -> !revoked.contains(MANIFEST_PIN)).ifPresent(pins::add);
        records.values().stream().filter(e -> e.kind().equals("pin") && !revoked.contains(e.name()))
                .map(Entry::until).flatMap(Optional::stream).forEach(pins::add);
        Map<String, String> attributes = new HashMap<>(set.attributes());
        attributes.remove(Pin.ATTRIBUTE);
        strongest(pins).ifPresent(p -> attributes.put(Pin.ATTRIBUTE, p));
        return new BackupSet(set.id(), set.strategy(), set.type(), set.status(), set.source(), set.startedAt(),
                set.finishedAt(), set.dependsOn(), rekeyed(set, records.values(), rekeys), attributes, verified,
                set.authenticity());
    }

    /**
     * Applies rekey records oldest first, each to the key file it names as replaced (a chain of rotations follows
     * itself; of two concurrent ones, the first wins and the other names a file no longer in use).
     */
    private static List<StoredObject> rekeyed(BackupSet set, java.util.Collection<Entry> records, RekeyCheck check) {
        List<Entry> rekeys = records.stream().filter(e -> e.kind().equals(REKEY))
                .filter(e -> check.trusted(set.id(), e))
                .sorted(java.util.Comparator.comparing(Entry::written).thenComparing(Entry::name)).toList();
        if (rekeys.isEmpty()) {
            return set.objects();
        }
        List<StoredObject> objects = new ArrayList<>(set.objects());
        String prefix = RepositoryLayout.dataPrefix(set.id());
        for (Entry e : rekeys) {
            Map<String, String> f = e.facts();
            String replaces = f.getOrDefault("replaces", "");
            String key = f.getOrDefault("key", "");
            String sha = f.getOrDefault("storedSha256", "");
            if (!key.startsWith(prefix) || !validKey(key) || !sha.matches("[0-9a-f]{64}")) {
                continue;
            }
            int at = -1;
            for (int i = 0; i < objects.size(); i++) {
                if (objects.get(i).isSetKey() && objects.get(i).key().equals(replaces)) {
                    at = i;
                }
            }
            if (at < 0 || objects.stream().anyMatch(o -> o.key().equals(key))) {
                continue;
            }
            StoredObject old = objects.get(at);
            Map<String, String> attrs = new HashMap<>(old.attributes());
            attrs.put(io.pgvault.internal.pipeline.Encoded.AGE_HEADER_ATTRIBUTE, f.getOrDefault("ageHeaderSha256", ""));
            try {
                objects.set(at, new StoredObject(old.name(), key, Long.parseLong(f.getOrDefault("logicalBytes", "")),
                        Long.parseLong(f.getOrDefault("storedBytes", "")), sha, f.getOrDefault("logicalSha256", ""),
                        old.compression(), old.encryption(), attrs));
            } catch (NumberFormatException ignored) {
                continue;
            }
            for (int i = 0; i < objects.size(); i++) {
                StoredObject o = objects.get(i);
                if (replaces.equals(o.attribute(io.pgvault.internal.pipeline.SetEncoder.KEY_ATTRIBUTE))) {
                    Map<String, String> a = new HashMap<>(o.attributes());
                    a.put(io.pgvault.internal.pipeline.SetEncoder.KEY_ATTRIBUTE, key);
                    a.put(io.pgvault.internal.pipeline.SetEncoder.KEY_SHA256_ATTRIBUTE, sha);
                    objects.set(i, new StoredObject(o.name(), o.key(), o.logicalBytes(), o.storedBytes(),
                            o.storedSha256(), o.logicalSha256(), o.compression(), o.encryption(), a));
                }
            }
        }
        return objects;
    }

    private static boolean validKey(String key) {
        try {
            io.pgvault.spi.ObjectKeys.validate(key);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Forever beats any date, a later end beats an earlier one, an unreadable pin beats all (it is kept). */
    private static Optional<String> strongest(List<String> pins) {
        String best = null;
        Instant bestEnd = null;
        for (String raw : pins) {
            Pin pin;
            try {
                pin = Pin.parse(raw);
            } catch (ConfigurationException e) {
                return Optional.of(raw);
            }
            if (pin.until().isEmpty()) {
                best = raw;
                bestEnd = Instant.MAX;
            } else if (bestEnd == null || pin.until().get().isAfter(bestEnd)) {
                best = raw;
                bestEnd = pin.until().get();
            }
        }
        return Optional.ofNullable(best);
    }

    private static ObjectNode doc(BackupId id, String kind) {
        ObjectNode doc = Json.mapper().createObjectNode();
        doc.put("formatVersion", 1);
        doc.put("set", id.value());
        doc.put("kind", kind);
        doc.put("writtenAt", Instant.now().toString());
        return doc;
    }

    private static String write(Repository repository, BackupId id, String kind, ObjectNode doc) {
        String name = kind + "-" + UUID.randomUUID() + ".json";
        repository.put(RepositoryLayout.recordsPrefix(id) + name, out -> Json.write(out, doc));
        return name;
    }

    /**
     * @param repository the store
     * @param id         a set
     * @param info       one of its records, as listed
     * @return the record, when it is readable and about the set
     */
    public static Optional<Entry> readOne(Repository repository, BackupId id, ObjectInfo info) {
        return read(repository, id, info);
    }

    private static Optional<Entry> read(Repository repository, BackupId id, ObjectInfo info) {
        String key = info.key();
        String name = key.substring(key.lastIndexOf('/') + 1);
        try (InputStream in = repository.open(key)) {
            JsonNode doc = Json.mapper().readTree(in);
            if (!id.value().equals(doc.path("set").asText())) {
                return Optional.empty(); // a record copied from another set: no fact about this one
            }
            if (doc.path("formatVersion").asInt() != 1) {
                return Optional.of(unreadable(name, info)); // a newer pgvault's: a pin in it must still hold
            }
            String kind = doc.path("kind").asText();
            Optional<Instant> at = doc.hasNonNull("at") ? Optional.of(Instant.parse(doc.get("at").asText()))
                    : Optional.empty();
            Optional<String> until = doc.hasNonNull("until") ? Optional.of(doc.get("until").asText())
                    : Optional.empty();
            List<String> revokes = new ArrayList<>();
            doc.path("revokes").forEach(n -> revokes.add(n.asText()));
            if (!name.startsWith(kind + "-")) {
                return Optional.empty();
            }
            Map<String, String> facts = new HashMap<>();
            if (kind.equals(ReadClaim.KIND) && doc.path("operation").asText("").matches("[a-z -]{1,40}")) {
                facts.put("operation", doc.get("operation").asText());
            }
            if (kind.equals(ReadClaim.KIND) && doc.path(ReadClaim.EXPIRE_FACT).asText("").matches("[0-9]{1,9}")) {
                facts.put(ReadClaim.EXPIRE_FACT, doc.get(ReadClaim.EXPIRE_FACT).asText());
            }
            if (kind.equals(REKEY)) {
                for (String field : REKEY_FACTS) {
                    facts.put(field, doc.path(field).asText(""));
                }
            }
            if ((kind.equals(REKEY) || kind.equals(UNPIN)) && doc.hasNonNull("auth")) {
                facts.put("auth", doc.get("auth").toString());
            }
            return Optional.of(new Entry(name, kind, at, until, revokes, info.lastModified(), facts));
        } catch (io.pgvault.api.NotFoundException e) {
            return Optional.empty(); // vanished (a concurrent prune): it adds no fact
        } catch (IOException | java.time.DateTimeException e) {
            return Optional.of(unreadable(name, info)); // garbled: a pin it may be must still hold
        }
    }

    /** A record that cannot be read: if its name says pin, it keeps the set (fail closed), else it adds nothing. */
    private static Entry unreadable(String name, ObjectInfo info) {
        boolean pin = name.startsWith("pin-");
        return new Entry(name, pin ? "pin" : "unreadable", Optional.empty(),
                pin ? Optional.of("unreadable record " + name) : Optional.empty(), List.of(), info.lastModified(), Map.of());
    }
}
