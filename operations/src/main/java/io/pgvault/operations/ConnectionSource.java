package io.pgvault.operations;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgConnection;
import io.pgvault.api.PgVaultException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

/**
 * Opens JDBC connections to the backed-up PostgreSQL server, for the single-runner guard, the job store and the
 * WAL-archive health check. Built from a {@link PgConnection} (the password goes into the driver's properties, never
 * into a URL, a log line or a message) or from the host's own {@link DataSource}.
 *
 * @since 0.2.0
 */
@FunctionalInterface
public interface ConnectionSource {

    /**
     * Opens a new connection; the caller closes it.
     *
     * @param purpose a short label shown as {@code application_name} where the source sets it, e.g. {@code
     *                pgvault-guard}
     * @return an open connection in auto-commit mode
     * @throws SQLException when the server cannot be reached or refuses the login
     */
    Connection open(String purpose) throws SQLException;

    /**
     * @param connection where and as whom to connect; a Unix-socket directory as host is not supported by the JDBC
     *                   driver and is refused here
     * @return a source opening connections over TCP with the PostgreSQL JDBC driver
     * @throws ConfigurationException when the host is a socket directory or the passfile cannot be used
     */
    static ConnectionSource of(PgConnection connection) {
        return new PgJdbc(connection);
    }

    /**
     * @param dataSource the host's data source (a pool is fine: connections are closed after use, advisory locks
     *                   released before that)
     * @return a source opening connections from it
     */
    static ConnectionSource of(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        return new ConnectionSource() {
            @Override
            public Connection open(String purpose) throws SQLException {
                Connection c = dataSource.getConnection();
                c.setAutoCommit(true);
                return c;
            }

            @Override
            public String toString() {
                return "DataSource[" + dataSource.getClass().getSimpleName() + "]";
            }
        };
    }

    /**
     * Wraps a driver failure into pgvault's exception type, with what was being done.
     *
     * @param doing  what failed, e.g. "take the advisory lock of job nightly"
     * @param source where
     * @param e      the driver's failure
     * @return an exception saying so (retryable: the server may come back)
     */
    static PgVaultException failure(String doing, ConnectionSource source, SQLException e) {
        return new PgVaultException(ErrorCode.REPOSITORY, "could not " + doing + " on " + source + ": "
                + (e.getSQLState() == null ? "" : "[" + e.getSQLState() + "] ") + e.getMessage(), e);
    }
}
