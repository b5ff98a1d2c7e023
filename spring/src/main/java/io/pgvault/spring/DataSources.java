package io.pgvault.spring;

import io.pgvault.config.PgVaultSettings.Database;

import java.net.URI;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

import javax.sql.DataSource;

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

    /**
     * The URL the application's DataSource really connects to: {@code spring.datasource.url} when set, else the URL
     * its driver reports for a connection (a pool built by Docker Compose or Testcontainers connection details, or by
     * hand, has no such property). A DataSource that cannot connect now is not reused.
     *
     * @param dataSource  the application's DataSource
     * @param propertyUrl {@code spring.datasource.url}, or {@code null}
     * @return the JDBC URL, or {@code null} when it cannot be known
     */
    static String urlOf(DataSource dataSource, String propertyUrl) {
        if (propertyUrl != null && !propertyUrl.isBlank()) {
            return propertyUrl;
        }
        try (Connection c = dataSource.getConnection()) {
            return c.getMetaData().getURL();
        } catch (SQLException | RuntimeException e) {
            return null;
        }
    }

    private static String host(String h) {
        String l = h.toLowerCase(Locale.ROOT);
        return l.equals("localhost") ? "127.0.0.1" : l;
    }
}
