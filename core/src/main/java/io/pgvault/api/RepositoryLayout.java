package io.pgvault.api;

import io.pgvault.spi.ObjectKeys;

import java.util.Optional;

/**
 * Where everything pgvault keeps in a repository lives; the one place that knows the keys (ADR 0002).
 *
 * <pre>
 * manifests/&lt;id&gt;.json          a committed set (written last, create-only where the store allows; never rewritten)
 * data/&lt;id&gt;/&lt;name&gt;&lt;suffixes&gt;     the set's objects
 * data/&lt;id&gt;/set-key.age          with a passphrase: the set's own age key, encrypted with it (ADR 0003)
 * intents/&lt;id&gt;.json            a lease: the set is being written or copied by a live process
 * records/&lt;id&gt;/&lt;kind&gt;-&lt;n&gt;.json   later facts about a set (verified, pinned, unpinned), append-only
 * notices/&lt;kind&gt;/...           reports that outlive a set (a set a tier never received)
 * clock/&lt;n&gt;                     short-lived probes that read the repository's own clock
 * </pre>
 *
 * @since 0.3.0
 */
public final class RepositoryLayout {
    /** Prefix of manifests. */
    public static final String MANIFESTS = "manifests/";
    /** Prefix of set objects. */
    public static final String DATA = "data/";
    /** Prefix of leases of sets in progress. */
    public static final String INTENTS = "intents/";
    /** Prefix of append-only set records. */
    public static final String RECORDS = "records/";
    /** Prefix of notices. */
    public static final String NOTICES = "notices/";
    /** Prefix of clock probes. */
    public static final String CLOCK = "clock/";
    /**
     * Public parameters of the repository's keys: {@code keys/manifest-scrypt.json} holds the salt and work factor
     * from which a passphrase derives the key that authenticates manifests (ADR 0013). Never secret.
     */
    public static final String KEYS = "keys/";
    /** The scrypt salt and work factor of manifest authentication with a passphrase. */
    public static final String MANIFEST_SCRYPT = KEYS + "manifest-scrypt.json";
    private static final String JSON = ".json";

    private RepositoryLayout() {
    }

    /**
     * @param id a set
     * @return the key of its manifest
     */
    public static String manifestKey(BackupId id) {
        return MANIFESTS + id.value() + JSON;
    }

    /**
     * @param id a set
     * @return the key prefix under which its objects live, ending in {@code /}
     */
    public static String dataPrefix(BackupId id) {
        return DATA + id.value() + "/";
    }

    /**
     * @param id       a set
     * @param name     an object's name within the set (a safe relative key)
     * @param options  the pipeline that encodes it
     * @return the object's key: the name plus the compression and encryption suffixes
     */
    public static String objectKey(BackupId id, String name, PipelineOptions options) {
        ObjectKeys.validate(name);
        return ObjectKeys.validate(dataPrefix(id) + name + options.compression().suffix()
                + (options.encryption().scheme().equals("none") ? "" : ".age"));
    }

    /**
     * @param id     a set
     * @param folder a folder within the set's prefix ({@code ""}, or a tier writer's folder ending in {@code /})
     * @return where that set's key file is written: objects encrypted with a passphrase are encrypted to the set's
     *         own age key, which this file holds, age-encrypted with the passphrase
     * @since 0.5.0
     */
    public static String setKeyFile(BackupId id, String folder) {
        return ObjectKeys.validate(dataPrefix(id) + folder + "set-key.age");
    }

    /**
     * @param id a set
     * @return the key of the lease of a writer of that set
     */
    public static String intentKey(BackupId id) {
        return INTENTS + id.value() + JSON;
    }

    /**
     * @param id a set
     * @return the prefix of its records, ending in {@code /}
     */
    public static String recordsPrefix(BackupId id) {
        return RECORDS + id.value() + "/";
    }

    /**
     * @param key a key under {@link #MANIFESTS}
     * @return the set id it names, when it is a manifest key ({@code manifests/<id>.json}, nothing nested)
     */
    public static Optional<String> manifestName(String key) {
        if (!key.startsWith(MANIFESTS) || !key.endsWith(JSON) || key.indexOf('/', MANIFESTS.length()) >= 0) {
            return Optional.empty();
        }
        String name = key.substring(MANIFESTS.length(), key.length() - JSON.length());
        return name.isEmpty() ? Optional.empty() : Optional.of(name);
    }

    /**
     * @param key a key under {@link #INTENTS}
     * @return the set id it names, when it is an intent key
     */
    public static Optional<String> intentName(String key) {
        if (!key.startsWith(INTENTS) || !key.endsWith(JSON) || key.indexOf('/', INTENTS.length()) >= 0) {
            return Optional.empty();
        }
        String name = key.substring(INTENTS.length(), key.length() - JSON.length());
        return name.isEmpty() ? Optional.empty() : Optional.of(name);
    }

    /**
     * @param prefix {@link #DATA} or {@link #RECORDS}
     * @param key    a key under it
     * @return the first segment after the prefix: the set id the object belongs to
     */
    public static Optional<String> owner(String prefix, String key) {
        if (!key.startsWith(prefix)) {
            return Optional.empty();
        }
        String rest = key.substring(prefix.length());
        int slash = rest.indexOf('/');
        return slash <= 0 ? Optional.empty() : Optional.of(rest.substring(0, slash));
    }
}
