package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.Secret;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders {@code pgbackrest.conf} (no secrets) and the secrets include file, and names the {@code PGBACKREST_*}
 * environment variables that carry the same secrets to commands pgvault runs itself. The configuration is rendered for
 * the pgBackRest version that reads it: values whose form changed between versions (durations) are written in that
 * version's form, and settings it does not know are refused, all of them at once.
 */
final class ConfigRenderer {
    /** Name of the secrets file inside the include directory; pgBackRest reads every {@code *.conf} there. */
    static final String SECRETS_FILE = "pgvault-secrets.conf";

    /** pgBackRest 2.59 refuses to run as root unless {@code allow-root} is set. */
    static final int ALLOW_ROOT_SINCE_MINOR = 59;

    private ConfigRenderer() {
    }

    /**
     * @param c the configuration
     * @param v the pgBackRest version that reads it
     * @return the text of {@code pgbackrest.conf}: every setting except secrets
     * @throws ConfigurationException naming every setting that version does not accept
     */
    static String config(PgBackRestConfig c, PgBackRestVersion v) {
        List<String> unsupported = new ArrayList<>();
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
        global.put("archive-timeout", duration(c.archiveTimeout(), v));
        global.put("backup-standby", c.backupStandby().option());
        if (!c.backupStandby().supportedBy(v)) {
            unsupported.add("backupStandby " + c.backupStandby() + " (backup-standby=" + c.backupStandby().option()
                    + ") needs pgBackRest " + c.backupStandby().since() + " or later: use YES (a standby is required) "
                    + "or NO");
        }
        global.put("start-fast", yn(c.startFast()));
        if (c.allowRoot() && v.atLeast(2, ALLOW_ROOT_SINCE_MINOR)) {
            global.put("allow-root", "y"); // 2.59+ refuses root itself; earlier versions do not know the option
        }
        for (PgBackRestRepo r : c.repos()) {
            repo(r, v, global, unsupported);
        }
        Map<String, String> stanza = new LinkedHashMap<>();
        pg(1, c.cluster(), stanza);
        for (int i = 0; i < c.standbys().size(); i++) {
            pg(i + 2, c.standbys().get(i), stanza);
        }
        if (!unsupported.isEmpty()) {
            List<String> problems = new ArrayList<>();
            unsupported.forEach(u -> problems.add(u + " (the configured pgbackrest is " + v.number() + ")"));
            ConfigurationException.throwIfAny(problems);
        }
        return "# written by pgvault for stanza " + c.stanza() + "; secrets live in " + c.includeDirectory()
                + "/" + SECRETS_FILE + "\n" + section("global", global) + "\n" + section(c.stanza(), stanza);
    }

    private static void pg(int n, PgCluster pg, Map<String, String> out) {
        String p = "pg" + n + "-";
        pg.host().ifPresent(h -> out.put(p + "host", h));
        out.put(p + "path", pg.dataDirectory().toString());
        out.put(p + "port", Integer.toString(pg.port()));
        pg.socketDirectory().ifPresent(s -> out.put(p + "socket-path", s.toString()));
        out.put(p + "user", pg.user());
        out.put(p + "database", pg.database());
    }

    private static void repo(PgBackRestRepo r, PgBackRestVersion v, Map<String, String> out,
            List<String> unsupported) {
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
        r.walRetention().ifPresent(w -> {
            out.put(p + "retention-archive-type", w.counting().option());
            out.put(p + "retention-archive", Integer.toString(w.backups()));
            if (r.retentionManaged() && w.counting() == WalRetention.Counting.DIFF) {
                // counting diffs without retention-diff makes pgBackRest warn on every command; keep every diff
                out.put(p + "retention-diff", Integer.toString(PgBackRestRepo.MANAGED_RETENTION_FULL));
            }
        });
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
            if (s3.keyType() == PgBackRestRepo.S3KeyType.WEB_ID && !v.atLeast(2, 36)) {
                unsupported.add("repo" + r.index() + ": web identity credentials (s3-key-type=web-id) need "
                        + "pgBackRest 2.36 or later");
            }
            s3.kmsKeyId().ifPresent(k -> {
                out.put(p + "s3-kms-key-id", k);
                if (!v.atLeast(2, 38)) {
                    unsupported.add("repo" + r.index() + ": SSE-KMS (s3-kms-key-id) needs pgBackRest 2.38 or later");
                }
            });
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

    /**
     * Writes a duration for pgBackRest's time options ({@code archive-timeout}, on the command line too). Whole
     * seconds are a plain number, which every version reads as seconds. 2.53 replaced the decimal parser with one
     * that takes an integer and a unit ({@code ms}, {@code s}, {@code m}, ...) and refuses {@code 1.500}; the older
     * one reads a decimal number of seconds and ignores what follows it, so {@code 1500ms} would mean 1500 seconds.
     *
     * @param d a duration of whole milliseconds
     * @param v the pgBackRest version that reads it
     * @return e.g. {@code 60}, {@code 1500ms} (2.53 and later) or {@code 1.500} (before 2.53)
     */
    static String duration(java.time.Duration d, PgBackRestVersion v) {
        long ms = d.toMillis();
        if (ms % 1000 == 0) {
            return Long.toString(ms / 1000);
        }
        return v.atLeast(2, 53) ? ms + "ms" : String.format(java.util.Locale.ROOT, "%d.%03d", ms / 1000, ms % 1000);
    }
}
