package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ConfigurationException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A PostgreSQL cluster of a stanza: pgBackRest's {@code pgN-*} settings. The cluster a stanza backs up is
 * {@code pg1}; standbys ({@link PgBackRestConfig.Builder#standby(PgCluster)}) are {@code pg2}, {@code pg3}, ...
 *
 * @param dataDirectory   the data directory ({@code pg1-path}), absolute
 * @param port            the server's port ({@code pg1-port}, default 5432)
 * @param socketDirectory the directory of its Unix socket ({@code pg1-socket-path}); empty: pgBackRest's default
 * @param user            the role pgBackRest connects as ({@code pg1-user}, default {@code postgres})
 * @param database        the database pgBackRest connects to ({@code pg1-database}, default {@code postgres})
 * @param binDir          the directory of {@code pg_ctl} and {@code psql}, used to start a restored copy for
 *                        inspection; empty: resolved from {@code PATH}. Where it has no {@code psql} (a
 *                        server-only build), the copy is queried with the {@code psql} on {@code PATH}
 * @param host            {@code pgN-host}: the host a standby runs on, reached by pgBackRest over ssh as
 *                        {@code postgres} (pgBackRest's defaults for {@code pgN-host-user} and
 *                        {@code pgN-host-type}); empty: on the host pgBackRest runs on. Only standbys may name a
 *                        host: pgvault runs pgBackRest beside the cluster it backs up. Since 0.2.0
 * @since 0.1.0
 */
public record PgCluster(Path dataDirectory, int port, Optional<Path> socketDirectory, String user, String database,
        Optional<Path> binDir, Optional<String> host) {

    /** Validates the components, reporting every problem at once. */
    public PgCluster {
        socketDirectory = socketDirectory == null ? Optional.empty() : socketDirectory;
        binDir = binDir == null ? Optional.empty() : binDir;
        host = host == null ? Optional.empty() : host;
        List<String> problems = new ArrayList<>();
        if (dataDirectory == null || !dataDirectory.isAbsolute()) {
            problems.add("the data directory (pg1-path) must be an absolute path, was " + dataDirectory);
        }
        if (port < 1 || port > 65535) {
            problems.add("port must be 1..65535, was " + port);
        }
        socketDirectory.filter(p -> !p.isAbsolute())
                .ifPresent(p -> problems.add("the socket directory must be absolute, was " + p));
        if (user == null || !user.matches("[A-Za-z_][A-Za-z0-9_$-]{0,62}")) {
            problems.add("user must be a role name, was '" + user + "'");
        }
        if (database == null || database.isBlank() || database.contains("\n")) {
            problems.add("database must be set, was '" + database + "'");
        }
        host.filter(h -> !h.matches("[A-Za-z0-9][A-Za-z0-9.:-]{0,252}"))
                .ifPresent(h -> problems.add("host must be a host name or address, was '" + h + "'"));
        ConfigurationException.throwIfAny(problems);
    }

    /**
     * The components of 0.1.0: on the host pgBackRest runs on.
     *
     * @param dataDirectory   the data directory
     * @param port            the server's port
     * @param socketDirectory the Unix socket directory
     * @param user            the role pgBackRest connects as
     * @param database        the database pgBackRest connects to
     * @param binDir          the directory of {@code pg_ctl} and {@code psql}
     * @since 0.2.0
     */
    public PgCluster(Path dataDirectory, int port, Optional<Path> socketDirectory, String user, String database,
            Optional<Path> binDir) {
        this(dataDirectory, port, socketDirectory, user, database, binDir, Optional.empty());
    }

    /**
     * @param dataDirectory the data directory ({@code pg1-path})
     * @return a builder with the defaults: port 5432, pgBackRest's socket directory, user and database
     *         {@code postgres}
     * @since 0.1.0
     */
    public static Builder builder(Path dataDirectory) {
        return new Builder(dataDirectory);
    }

    /**
     * @return a builder holding these settings
     * @since 0.1.0
     */
    public Builder toBuilder() {
        Builder b = new Builder(dataDirectory).port(port).user(user).database(database);
        b.socketDirectory = socketDirectory.orElse(null);
        b.binDir = binDir.orElse(null);
        b.host = host.orElse(null);
        return b;
    }

    /**
     * Builds a {@link PgCluster}.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private Path dataDirectory;
        private int port = 5432;
        private Path socketDirectory;
        private String user = "postgres";
        private String database = "postgres";
        private Path binDir;
        private String host;

        private Builder(Path dataDirectory) {
            this.dataDirectory = dataDirectory;
        }

        /**
         * @param dataDirectory the data directory
         * @return this
         * @since 0.1.0
         */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = dataDirectory;
            return this;
        }

        /**
         * @param port the server's port; default 5432
         * @return this
         * @since 0.1.0
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * @param dir the Unix socket directory; default pgBackRest's ({@code /var/run/postgresql})
         * @return this
         * @since 0.1.0
         */
        public Builder socketDirectory(Path dir) {
            this.socketDirectory = dir;
            return this;
        }

        /**
         * @param user the role pgBackRest connects as; default {@code postgres}
         * @return this
         * @since 0.1.0
         */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /**
         * @param database the database pgBackRest connects to; default {@code postgres}
         * @return this
         * @since 0.1.0
         */
        public Builder database(String database) {
            this.database = database;
            return this;
        }

        /**
         * @param binDir directory of {@code pg_ctl}/{@code psql}; default: from {@code PATH}
         * @return this
         * @since 0.1.0
         */
        public Builder binDir(Path binDir) {
            this.binDir = binDir;
            return this;
        }

        /**
         * @param host {@code pgN-host} of a standby on another host, reached over ssh as {@code postgres}; default
         *             none: the standby runs on the host pgBackRest runs on
         * @return this
         * @since 0.2.0
         */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /**
         * @return the validated cluster settings
         * @throws ConfigurationException listing every invalid setting
         * @since 0.1.0
         */
        public PgCluster build() {
            return new PgCluster(dataDirectory, port, Optional.ofNullable(socketDirectory), user, database,
                    Optional.ofNullable(binDir), Optional.ofNullable(host));
        }
    }
}
