package io.pgvault.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach a PostgreSQL server with libpq tools. The password never goes on a command line: pgvault hands it
 * to tools through a 0600 {@code PGPASSFILE} it writes and removes, or the host supplies its own passfile.
 *
 * @param host      host name, IP address or socket directory (default {@code localhost})
 * @param port      port (default 5432)
 * @param user      role to connect as (default {@code postgres})
 * @param database  database to connect to (default {@code postgres})
 * @param password  password, if the server asks for one
 * @param passfile  an existing pgpass file to use instead of {@code password}
 * @param sslMode   libpq {@code sslmode}, if set
 * @param binDir    directory holding {@code pg_dump}, {@code psql}, ... (default: resolved from {@code PATH})
 * @since 0.1.0
 */
public record PgConnection(String host, int port, String user, String database, Optional<Secret> password,
        Optional<Path> passfile, Optional<String> sslMode, Optional<Path> binDir) {

    /** Validates the components; copies collections and replaces null optionals with empty ones. */
    public PgConnection {
        password = password == null ? Optional.empty() : password;
        passfile = passfile == null ? Optional.empty() : passfile;
        sslMode = sslMode == null ? Optional.empty() : sslMode;
        binDir = binDir == null ? Optional.empty() : binDir;
        List<String> problems = new ArrayList<>();
        if (host == null || host.isBlank()) {
            problems.add("host must be set");
        }
        if (port < 1 || port > 65535) {
            problems.add("port must be 1..65535, was " + port);
        }
        if (user == null || user.isBlank()) {
            problems.add("user must be set");
        }
        if (database == null || database.isBlank()) {
            problems.add("database must be set");
        }
        if (password.isPresent() && passfile.isPresent()) {
            problems.add("set either password or passfile, not both");
        }
        ConfigurationException.throwIfAny(problems);
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this connection's settings */
    public Builder toBuilder() {
        Builder b = new Builder().host(host).port(port).user(user).database(database);
        b.password = password.orElse(null);
        b.passfile = passfile.orElse(null);
        b.sslMode = sslMode.orElse(null);
        b.binDir = binDir.orElse(null);
        return b;
    }

    /**
     * @param other another database on the same server
     * @return this connection aimed at {@code other}
     */
    public PgConnection withDatabase(String other) {
        return toBuilder().database(other).build();
    }

    /**
     * Reads the libpq environment variables {@code PGHOST}, {@code PGPORT}, {@code PGUSER}, {@code PGDATABASE},
     * {@code PGPASSWORD}, {@code PGPASSFILE}, {@code PGSSLMODE}.
     *
     * @return a connection from the environment, or empty when none of host, port or database is set
     */
    public static Optional<PgConnection> fromEnvironment() {
        String host = System.getenv("PGHOST");
        String port = System.getenv("PGPORT");
        String db = System.getenv("PGDATABASE");
        if (host == null && port == null && db == null) {
            return Optional.empty();
        }
        Builder b = builder();
        if (host != null) {
            b.host(host);
        }
        if (port != null) {
            try {
                b.port(Integer.parseInt(port.trim()));
            } catch (NumberFormatException e) {
                throw new ConfigurationException("PGPORT is not a number: '" + port + "'");
            }
        }
        Optional.ofNullable(System.getenv("PGUSER")).ifPresent(b::user);
        Optional.ofNullable(db).ifPresent(b::database);
        Secret.fromEnv("PGPASSWORD").ifPresent(b::password);
        Optional.ofNullable(System.getenv("PGPASSFILE")).map(Path::of).ifPresent(b::passfile);
        Optional.ofNullable(System.getenv("PGSSLMODE")).ifPresent(b::sslMode);
        return Optional.of(b.build());
    }

    @Override
    public String toString() {
        return "PgConnection[" + user + "@" + host + ":" + port + "/" + database
                + (password.isPresent() ? ", password=***" : "") + "]";
    }

    /** Builds a {@link PgConnection}. */
    public static final class Builder {
        private String host = "localhost";
        private int port = 5432;
        private String user = "postgres";
        private String database = "postgres";
        private Secret password;
        private Path passfile;
        private String sslMode;
        private Path binDir;

        private Builder() {
        }

        /** @param host host, IP or socket directory; default {@code localhost} @return this */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** @param port port; default 5432 @return this */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** @param user role; default {@code postgres} @return this */
        public Builder user(String user) {
            this.user = user;
            return this;
        }

        /** @param database database; default {@code postgres} @return this */
        public Builder database(String database) {
            this.database = database;
            return this;
        }

        /** @param password password; default none @return this */
        public Builder password(Secret password) {
            this.password = password;
            return this;
        }

        /** @param passfile pgpass file; default none @return this */
        public Builder passfile(Path passfile) {
            this.passfile = passfile;
            return this;
        }

        /** @param sslMode libpq sslmode; default unset (libpq's {@code prefer}) @return this */
        public Builder sslMode(String sslMode) {
            this.sslMode = sslMode;
            return this;
        }

        /** @param binDir directory of the PostgreSQL client binaries; default from {@code PATH} @return this */
        public Builder binDir(Path binDir) {
            this.binDir = binDir;
            return this;
        }

        /** @return the validated connection */
        public PgConnection build() {
            return new PgConnection(host, port, user, database, Optional.ofNullable(password),
                    Optional.ofNullable(passfile), Optional.ofNullable(sslMode), Optional.ofNullable(binDir));
        }
    }
}
