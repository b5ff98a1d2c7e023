package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.Secret;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders {@code pgbackrest.conf} (no secrets) and the secrets include file, and names the {@code PGBACKREST_*}
 * environment variables that carry the same secrets to commands pgvault runs itself.
 */
final class ConfigRenderer {
    /** Name of the secrets file inside the include directory; pgBackRest reads every {@code *.conf} there. */
    static final String SECRETS_FILE = "pgvault-secrets.conf";

    private ConfigRenderer() {
    }

    /** @return the text of {@code pgbackrest.conf}: every setting except secrets */
    static String config(PgBackRestConfig c) {
        Map<String, String> global = new LinkedHashMap<>();
        global.put("log-path", c.logPath().toString());
        global.put("lock-path", c.lockPath().toString());
        global.put("spool-path", c.spoolPath().toString());
        global.put("log-level-console", "warn");
        global.put("log-level-stderr", "warn");
        global.put("log-level-file", "info");
        global.put("compress-type", c.compressType().option());
        c.compressLevel().ifPresent(l -> global.put("compress-level", Integer.toString(l)));
        global.put("process-max", Integer.toString(c.processMax()));
        global.put("archive-async", yn(c.archiveAsync()));
        c.archivePushQueueMax().ifPresent(q -> global.put("archive-push-queue-max", Long.toString(q)));
        global.put("archive-timeout", seconds(c.archiveTimeout()));
        global.put("backup-standby", yn(c.backupStandby()));
        global.put("start-fast", yn(c.startFast()));
        for (PgBackRestRepo r : c.repos()) {
            repo(r, global);
        }
        Map<String, String> stanza = new LinkedHashMap<>();
        PgCluster pg = c.cluster();
        stanza.put("pg1-path", pg.dataDirectory().toString());
        stanza.put("pg1-port", Integer.toString(pg.port()));
        pg.socketDirectory().ifPresent(s -> stanza.put("pg1-socket-path", s.toString()));
        stanza.put("pg1-user", pg.user());
        stanza.put("pg1-database", pg.database());
        return "# written by pgvault for stanza " + c.stanza() + "; secrets live in " + c.includeDirectory()
                + "/" + SECRETS_FILE + "\n" + section("global", global) + "\n" + section(c.stanza(), stanza);
    }

    private static void repo(PgBackRestRepo r, Map<String, String> out) {
        String p = "repo" + r.index() + "-";
        out.put(p + "type", r.type().option());
        out.put(p + "path", r.path());
        if (r.retentionManaged()) {
            out.put(p + "retention-full-type", "count");
            out.put(p + "retention-full", Integer.toString(PgBackRestRepo.MANAGED_RETENTION_FULL));
        } else {
            out.put(p + "retention-full", Integer.toString(r.retentionFull().getAsInt()));
            r.retentionDiff().ifPresent(d -> out.put(p + "retention-diff", Integer.toString(d)));
        }
        if (r.cipherPass().isPresent()) {
            out.put(p + "cipher-type", "aes-256-cbc");
        }
        r.s3().ifPresent(s3 -> {
            out.put(p + "s3-bucket", s3.bucket());
            out.put(p + "s3-region", s3.region());
            out.put(p + "s3-endpoint", s3.endpoint());
            s3.port().ifPresent(port -> out.put(p + "storage-port", Integer.toString(port)));
            out.put(p + "s3-uri-style", s3.pathStyle() ? "path" : "host");
            out.put(p + "s3-key-type", s3.keyType().option());
            s3.caFile().ifPresent(f -> out.put(p + "storage-ca-file", f.toString()));
            if (!s3.verifyTls()) {
                out.put(p + "storage-verify-tls", "n");
            }
        });
    }

    /**
     * @return every secret as pgBackRest's option name ({@code repo1-cipher-pass}) to value, in repo order
     */
    static Map<String, Secret> secrets(PgBackRestConfig c) {
        Map<String, Secret> out = new LinkedHashMap<>();
        for (PgBackRestRepo r : c.repos()) {
            String p = "repo" + r.index() + "-";
            r.cipherPass().ifPresent(s -> out.put(p + "cipher-pass", s));
            r.s3().ifPresent(s3 -> {
                s3.accessKey().ifPresent(s -> out.put(p + "s3-key", s));
                s3.secretKey().ifPresent(s -> out.put(p + "s3-key-secret", s));
                s3.token().ifPresent(s -> out.put(p + "s3-token", s));
            });
        }
        return out;
    }

    /** @return the secrets as {@code PGBACKREST_REPO1_CIPHER_PASS}-style environment variables */
    static Map<String, Secret> secretEnvironment(PgBackRestConfig c) {
        Map<String, Secret> env = new LinkedHashMap<>();
        secrets(c).forEach((option, value) -> env.put(envName(option), value));
        return env;
    }

    /** @return the text of the secrets include file (to be written 0600, owned by the server's OS user) */
    static String secretsFile(PgBackRestConfig c) {
        StringBuilder sb = new StringBuilder("# written by pgvault: secrets of stanza " + c.stanza()
                + "; mode 0600, never world-readable\n[global]\n");
        secrets(c).forEach((option, value) -> {
            String v = value.reveal();
            if (v.contains("\n") || v.contains("\r") || !v.strip().equals(v)) {
                throw new ConfigurationException(option + " cannot be written to a pgBackRest config file: it has a "
                        + "line break or leading/trailing white space");
            }
            sb.append(option).append('=').append(v).append('\n');
        });
        return sb.toString();
    }

    static String envName(String option) {
        return "PGBACKREST_" + option.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    private static String section(String name, Map<String, String> options) {
        StringBuilder sb = new StringBuilder("[").append(name).append("]\n");
        List<String> bad = new ArrayList<>();
        options.forEach((k, v) -> {
            if (v.contains("\n") || v.contains("\r")) {
                bad.add(k + " contains a line break");
            }
            sb.append(k).append('=').append(v).append('\n');
        });
        ConfigurationException.throwIfAny(bad);
        return sb.toString();
    }

    private static String yn(boolean b) {
        return b ? "y" : "n";
    }

    private static String seconds(java.time.Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? Long.toString(ms / 1000) : String.format(java.util.Locale.ROOT, "%.3f", ms / 1000.0);
    }
}
