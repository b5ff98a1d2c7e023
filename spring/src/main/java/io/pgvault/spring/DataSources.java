package io.pgvault.spring;

import io.pgvault.config.PgVaultSettings.Database;

import java.net.URI;
import java.util.Locale;

/** Whether the application's JDBC URL names the backed-up database. */
final class DataSources {
    private DataSources() {
    }

    /**
     * @param jdbcUrl  {@code jdbc:postgresql://host:port/db?...}, or {@code null}
     * @param database pgvault's database
     * @return whether host, port and database name are the same (a socket or multi-host URL never is)
     */
    static boolean sameDatabase(String jdbcUrl, Database database) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql://") || jdbcUrl.contains(",")) {
            return false;
        }
        try {
            URI uri = URI.create(jdbcUrl.substring("jdbc:".length()));
            String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
            int port = uri.getPort() < 0 ? 5432 : uri.getPort();
            return uri.getHost() != null && host(uri.getHost()).equals(host(database.host()))
                    && port == database.port() && path.equals(database.database());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String host(String h) {
        String l = h.toLowerCase(Locale.ROOT);
        return l.equals("localhost") ? "127.0.0.1" : l;
    }
}
