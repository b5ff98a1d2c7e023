package io.pgvault.backend.pgdump;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.backend.pgdump.PgSession.DatabaseInfo;
import io.pgvault.backend.pgdump.PgSession.ServerVersion;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a backup or restore needs to know about the server before it starts, read in one query (so in one psql run
 * rather than one per question): its version, its databases and its roles.
 *
 * @param server    the server's version
 * @param databases every database, in byte order of their names
 * @param roles     the names of every role
 */
record ServerCatalog(ServerVersion server, List<DatabaseInfo> databases, Set<String> roles) {
    /**
     * One row per fact, tagged; names travel hex-encoded, so no {@code |} or line break can break a row. Sorted
     * under the C collation: the tags group the rows, and databases come in byte order of their names (the order
     * of {@code ORDER BY datname}, as {@code name} sorts under C).
     */
    static final String QUERY = """
            SELECT fact FROM (
              SELECT format('database|%s|%s|%s|%s|%s|%s', encode(convert_to(datname, 'UTF8'), 'hex'),
                     encode(convert_to(pg_get_userbyid(datdba), 'UTF8'), 'hex'), pg_encoding_to_char(encoding),
                     datallowconn, datistemplate, oid) FROM pg_catalog.pg_database
              UNION ALL
              SELECT format('role|%s', encode(convert_to(rolname, 'UTF8'), 'hex')) FROM pg_catalog.pg_roles
              UNION ALL
              SELECT format('version|%s|%s', current_setting('server_version_num'),
                     encode(convert_to(current_setting('server_version'), 'UTF8'), 'hex'))
            ) AS facts (fact)
            ORDER BY fact COLLATE "C";
            """;

    ServerCatalog {
        databases = List.copyOf(databases);
        roles = Set.copyOf(roles);
    }

    /**
     * @param rows psql's unaligned, tuples-only output of {@link #QUERY}
     * @return the catalog
     * @throws PgVaultException when the answer is not one of {@link #QUERY}
     */
    static ServerCatalog parse(List<String> rows) {
        ServerVersion server = null;
        List<DatabaseInfo> databases = new ArrayList<>();
        Set<String> roles = new LinkedHashSet<>();
        try {
            for (String row : rows) {
                String[] f = row.strip().split("\\|", -1);
                switch (f[0]) {
                    case "database" -> databases.add(new DatabaseInfo(Sql.fromHex(f[1]), Sql.fromHex(f[2]), f[3],
                            "t".equals(f[4]), "t".equals(f[5]), Long.parseLong(f[6])));
                    case "role" -> roles.add(Sql.fromHex(f[1]));
                    case "version" -> server = new ServerVersion(Integer.parseInt(f[1]), Sql.fromHex(f[2]));
                    default -> throw new IllegalArgumentException("unknown row " + row);
                }
            }
        } catch (RuntimeException e) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "unexpected answer to the server catalog query: "
                    + e.getMessage(), e);
        }
        if (server == null) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "the server catalog query returned no server version: "
                    + rows);
        }
        return new ServerCatalog(server, databases, roles);
    }

    /**
     * @param name a database name
     * @return that database, if the server has it
     */
    Optional<DatabaseInfo> database(String name) {
        return databases.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    /**
     * @param name a database name
     * @return whether the server has it
     */
    boolean hasDatabase(String name) {
        return database(name).isPresent();
    }
}
