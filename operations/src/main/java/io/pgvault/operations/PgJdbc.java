package io.pgvault.operations;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PgConnection;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/** Opens connections with the PostgreSQL JDBC driver; secrets only in the driver's properties. */
final class PgJdbc implements ConnectionSource {
    private final PgConnection connection;

    PgJdbc(PgConnection connection) {
        this.connection = java.util.Objects.requireNonNull(connection, "connection");
        OptionalDependency.POSTGRESQL_JDBC.require("ConnectionSource.of(PgConnection)");
        if (connection.host().startsWith("/")) {
            throw new ConfigurationException("host " + connection.host() + " is a Unix-socket directory, which the "
                    + "JDBC driver cannot use; give a host name or address, or ConnectionSource.of(DataSource)");
        }
    }

    @Override
    public Connection open(String purpose) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", connection.user());
        password().ifPresent(p -> props.setProperty("password", p));
        connection.sslMode().ifPresent(m -> props.setProperty("sslmode", m));
        props.setProperty("ApplicationName", purpose);
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("connectTimeout", "10");
        Connection c = DriverManager.getConnection(url(), props);
        c.setAutoCommit(true);
        return c;
    }

    String url() {
        String host = connection.host().contains(":") ? "[" + connection.host() + "]" : connection.host();
        return "jdbc:postgresql://" + host + ":" + connection.port() + "/"
                + java.net.URLEncoder.encode(connection.database(), StandardCharsets.UTF_8).replace("+", "%20");
    }

    private Optional<String> password() {
        if (connection.password().isPresent()) {
            return Optional.of(connection.password().get().reveal());
        }
        return connection.passfile().flatMap(this::fromPassfile);
    }

    /** libpq's pgpass format: host:port:database:user:password, {@code *} matches anything, {@code \} escapes. */
    private Optional<String> fromPassfile(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigurationException("cannot read passfile " + file + ": " + e.getMessage());
        }
        String[] wanted = {connection.host(), Integer.toString(connection.port()), connection.database(),
                connection.user()};
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            List<String> fields = PgPass.split(line);
            if (fields.size() == 5 && PgPass.matches(fields, wanted)) {
                return Optional.of(fields.get(4));
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "postgresql://" + connection.user() + "@" + connection.host() + ":" + connection.port() + "/"
                + connection.database();
    }

    /** Parsing of one pgpass line. */
    static final class PgPass {
        private PgPass() {
        }

        static List<String> split(String line) {
            List<String> fields = new java.util.ArrayList<>();
            StringBuilder field = new StringBuilder();
            for (int i = 0; i < line.length(); i++) {
                char ch = line.charAt(i);
                if (ch == '\\' && i + 1 < line.length()) {
                    field.append(line.charAt(++i));
                } else if (ch == ':' && fields.size() < 4) {
                    fields.add(field.toString());
                    field.setLength(0);
                } else {
                    field.append(ch);
                }
            }
            fields.add(field.toString());
            return fields;
        }

        static boolean matches(List<String> fields, String[] wanted) {
            for (int i = 0; i < wanted.length; i++) {
                if (!fields.get(i).equals("*") && !fields.get(i).equals(wanted[i])) {
                    return false;
                }
            }
            return true;
        }
    }
}
