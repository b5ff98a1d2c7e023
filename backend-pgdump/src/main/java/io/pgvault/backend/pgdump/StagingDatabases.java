package io.pgvault.backend.pgdump;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.backend.pgdump.PgSession.ServerVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The staging databases of one restore, {@code pgvault_restore_<random>_<i>}, one per target: created together,
 * swapped into place one by one, dropped after a failure. Every statement runs from the maintenance database, and
 * each step is one psql run, since a run costs a process and a connection.
 */
final class StagingDatabases {
    private static final Logger LOG = LoggerFactory.getLogger(StagingDatabases.class);

    private final PgSession session;
    private final ServerVersion server;
    private final String maintenance;
    private final List<String> names;

    private StagingDatabases(PgSession session, ServerVersion server, String maintenance, List<String> names) {
        this.session = session;
        this.server = server;
        this.maintenance = maintenance;
        this.names = names;
    }

    /**
     * @param session     the tools
     * @param server      the server's version (how to force a drop)
     * @param maintenance the database control statements run from
     * @param count       how many databases the set restores
     * @return fresh names, none created yet
     */
    static StagingDatabases named(PgSession session, ServerVersion server, String maintenance, int count) {
        String prefix = String.format("pgvault_restore_%08x", ThreadLocalRandom.current().nextInt());
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(prefix + "_" + i);
        }
        return new StagingDatabases(session, server, maintenance, List.copyOf(names));
    }

    /** @return the staging database of the {@code i}th target */
    String name(int i) {
        return names.get(i);
    }

    /**
     * Creates every staging database in one psql run ({@code TEMPLATE template0}, the recorded encoding, and the
     * recorded owner when that role exists: a missing one would fail the CREATE).
     *
     * @param targets the set's databases, in the order of the names
     * @param roles   the roles the server has
     */
    void create(List<RestoreTarget> targets, Set<String> roles) {
        StringBuilder sql = new StringBuilder();
        for (int i = 0; i < targets.size(); i++) {
            RestoreTarget t = targets.get(i);
            sql.append("CREATE DATABASE ").append(Sql.ident(names.get(i))).append(" TEMPLATE template0 ENCODING ")
                    .append(Sql.literal(t.encoding()));
            if (!t.owner().isEmpty() && roles.contains(t.owner())) {
                sql.append(" OWNER ").append(Sql.ident(t.owner()));
            }
            sql.append(";\n");
        }
        session.execute(maintenance, sql.toString());
    }

    /**
     * Puts each staging database in place: drops the existing database it replaces and renames the staging one, in
     * one psql run per database. ON_ERROR_STOP keeps the rename from running after a failed drop.
     *
     * @param targets the set's databases, in the order of the names
     * @param replace the existing databases to replace, by name, with their OIDs when the conflict was checked
     */
    void swapAll(List<RestoreTarget> targets, Map<String, Long> replace) {
        for (int i = 0; i < targets.size(); i++) {
            RestoreTarget t = targets.get(i);
            String sql = "ALTER DATABASE " + Sql.ident(names.get(i)) + " RENAME TO " + Sql.ident(t.name()) + ";\n";
            if (replace.containsKey(t.name())) {
                LOG.info("dropping existing database '{}' to replace it (dropExisting)", t.name());
                sql = dropStatement(t.name()) + sql;
            }
            try {
                session.execute(maintenance, sql);
            } catch (RuntimeException e) {
                swapFailed(t, i, replace.get(t.name()), e);
            }
            LOG.info("database '{}' restored as '{}'", t.source(), t.name());
        }
    }

    /**
     * Asks the server how far a failed swap got, and cleans up accordingly. If the database to replace is still
     * there (same OID), the drop failed: nothing was replaced, and the staging database is dropped like the later
     * ones. Otherwise the rename failed: the restored data is in the staging database, which is kept and named in
     * the error. Returns only when the swap turns out to have completed.
     *
     * @param replacedOid the OID of the database this swap was to replace, or null
     */
    private void swapFailed(RestoreTarget t, int i, Long replacedOid, RuntimeException e) {
        String staging = names.get(i);
        ServerCatalog now = null;
        try {
            now = session.catalog(maintenance);
        } catch (RuntimeException probe) {
            e.addSuppressed(probe);
        }
        if (now != null && !now.hasDatabase(staging)) {
            if (now.hasDatabase(t.name())) {
                LOG.warn("psql reported an error after renaming {} to '{}', which completed: {}", staging, t.name(),
                        e.getMessage());
                return;
            }
            dropQuietly(names.subList(i + 1, names.size()), e);
            throw e;
        }
        boolean dropFailed = now != null && replacedOid != null
                && now.database(t.name()).map(d -> d.oid() == replacedOid).orElse(false);
        if (dropFailed) {
            dropQuietly(names.subList(i, names.size()), e);
            throw e;
        }
        dropQuietly(names.subList(i + 1, names.size()), e);
        throw new PgVaultException(ErrorCode.TOOL_FAILED, "database '" + t.source() + "' was restored but could not"
                + " be renamed to '" + t.name() + "'; the restored data is in database " + staging + ": "
                + e.getMessage(), e);
    }

    /**
     * Drops every staging database ({@code IF EXISTS}: a failed create may have made only some), one psql run each so
     * that each failure is reported; the failures are added to {@code cause}.
     *
     * @param cause why the restore failed
     */
    void dropAll(Throwable cause) {
        dropQuietly(names, cause);
    }

    private void dropQuietly(List<String> databases, Throwable cause) {
        for (String db : databases) {
            try {
                // FORCE: the backend of a tool killed mid-restore may not have noticed yet
                session.execute(maintenance, dropStatement(db));
                LOG.info("removed staging database {} after a failed restore", db);
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
                LOG.warn("could not drop staging database {} after a failed restore; drop it by hand: {}", db,
                        e.getMessage());
            }
        }
    }

    private String dropStatement(String name) {
        if (server.major() >= 13) {
            return "DROP DATABASE IF EXISTS " + Sql.ident(name) + " WITH (FORCE);\n";
        }
        return "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = " + Sql.literal(name)
                + " AND pid <> pg_backend_pid();\nDROP DATABASE IF EXISTS " + Sql.ident(name) + ";\n";
    }
}
