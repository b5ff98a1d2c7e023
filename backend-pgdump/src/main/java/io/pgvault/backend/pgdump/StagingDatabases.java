package io.pgvault.backend.pgdump;

import io.pgvault.api.ConflictException;
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
     * Puts every staging database in place, all or nothing. First it refuses when another session holds a staging
     * database (before anything is renamed or dropped). Then, per target: the database it replaces is closed to new
     * connections, its sessions are ended and it is renamed aside ({@code pgvault_previous_...}); the staging
     * database is renamed into place. When any step fails, the swaps already made are undone in reverse (each new
     * database goes back to its staging name, each previous one to its own name) and the error names anything that
     * could not be put back. Only when every target is in place are the previous databases dropped; one that cannot
     * be dropped is named in the returned warnings, its data intact.
     *
     * @param targets the set's databases, in the order of the names
     * @param replace the existing databases to replace, by name, with their OIDs when the conflict was checked
     * @return warnings (previous databases left behind)
     */
    List<String> swapAll(List<RestoreTarget> targets, Map<String, Long> replace) {
        String prefix = names.get(0).substring(0, names.get(0).lastIndexOf('_')).replace("pgvault_restore_",
                "pgvault_previous_");
        List<Step> done = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            RestoreTarget t = targets.get(i);
            String staging = names.get(i);
            String aside = replace.containsKey(t.name()) ? prefix + "_" + i : null;
            // one psql run per target; the first also refuses when a staging database is held open
            StringBuilder sql = new StringBuilder(i == 0 ? heldCheck() : "");
            if (aside != null) {
                LOG.info("moving existing database '{}' aside as {} to replace it (dropExisting)", t.name(), aside);
                sql.append(sameDatabase(t.name(), replace.get(t.name()))).append(closeAndRename(t.name(), aside));
            }
            sql.append("ALTER DATABASE ").append(Sql.ident(staging)).append(" RENAME TO ").append(Sql.ident(t.name()))
                    .append(";\n");
            boolean last = i == targets.size() - 1;
            if (last) { // every target in place: the previous databases go in the same run
                done.stream().map(Step::aside).filter(java.util.Objects::nonNull)
                        .forEach(a -> sql.append(dropStatement(a)));
                if (aside != null) {
                    sql.append(dropStatement(aside));
                }
            }
            try {
                session.execute(maintenance, sql.toString());
                done.add(new Step(staging, t.name(), aside, true));
                LOG.info("database '{}' restored as '{}'", t.source(), t.name());
            } catch (RuntimeException e) {
                if (i == 0 && String.valueOf(e.getMessage()).contains(HELD)) {
                    String held = e.getMessage().substring(e.getMessage().indexOf(HELD) + HELD.length()).strip();
                    ConflictException conflict = new ConflictException("staging database(s) of this restore are held"
                            + " open by other sessions (" + held.lines().findFirst().orElse(held) + "); nothing was"
                            + " replaced, and the staging databases are dropped (a failure to is added below). End"
                            + " those sessions and restore again");
                    dropQuietly(names, conflict); // full copies of the data: never left behind
                    throw conflict;
                }
                Step partial = partial(staging, t.name(), aside);
                if (last && partial != null && partial.swapped()) {
                    // every database is in place; only dropping a previous one failed
                    done.add(new Step(staging, t.name(), aside, true));
                    return dropPrevious(done);
                }
                if (partial != null) {
                    done.add(partial);
                }
                throw rollBack(done, t, e);
            }
        }
        return List.of();
    }

    /** Drops the previous databases one by one; each that cannot be dropped is named in a warning. */
    private List<String> dropPrevious(List<Step> done) {
        List<String> warnings = new ArrayList<>();
        for (Step step : done) {
            if (step.aside() == null) {
                continue;
            }
            try {
                session.execute(maintenance, dropStatement(step.aside()));
            } catch (RuntimeException e) {
                LOG.warn("the previous database '{}' was replaced and kept as {}, which could not be dropped: {}",
                        step.target(), step.aside(), e.getMessage());
                warnings.add("the previous database '" + step.target() + "' is kept as " + step.aside()
                        + " (it could not be dropped: " + e.getMessage() + "); drop it by hand");
            }
        }
        return warnings;
    }

    private static final String HELD = "pgvault-staging-held:";

    /** A statement that fails, naming them, when other sessions stay connected to a staging database. */
    private String heldCheck() {
        StringBuilder in = new StringBuilder();
        for (String n : names) {
            in.append(in.length() == 0 ? "" : ", ").append(Sql.literal(n));
        }
        // the sessions of the tools that loaded them may take a moment to go: up to five seconds, as RENAME waits
        return "DO $pgvault$ DECLARE held text; BEGIN FOR i IN 1..50 LOOP PERFORM pg_stat_clear_snapshot();"
                + " SELECT string_agg(datname || ' by pid ' || pid, ', ') INTO held"
                + " FROM pg_catalog.pg_stat_activity WHERE datname IN (" + in + ") AND pid <> pg_backend_pid();"
                + " EXIT WHEN held IS NULL; PERFORM pg_sleep(0.1); END LOOP;"
                + " IF held IS NOT NULL THEN RAISE EXCEPTION '" + HELD + " %', held; END IF; END $pgvault$;\n";
    }

    /** A statement that fails when {@code name} is no longer the database (OID) the conflict check saw. */
    private static String sameDatabase(String name, Long oid) {
        if (oid == null) {
            return "";
        }
        return "DO $pgvault$ BEGIN IF (SELECT oid FROM pg_catalog.pg_database WHERE datname = " + Sql.literal(name)
                + ") IS DISTINCT FROM " + oid + " THEN RAISE EXCEPTION 'database % was dropped and created again "
                + "since the restore checked it: not replaced', " + Sql.literal(name) + "; END IF; END $pgvault$;\n";
    }

    /**
     * Statements renaming a database that sessions may be using: closed to new connections, its sessions ended
     * (the rename waits up to five seconds for them to exit), renamed, open again under the new name.
     */
    private static String closeAndRename(String from, String to) {
        return "ALTER DATABASE " + Sql.ident(from) + " ALLOW_CONNECTIONS false;\n"
                + "SELECT count(pg_terminate_backend(pid)) FROM pg_catalog.pg_stat_activity WHERE datname = "
                + Sql.literal(from) + " AND pid <> pg_backend_pid();\n"
                + "ALTER DATABASE " + Sql.ident(from) + " RENAME TO " + Sql.ident(to) + ";\n"
                + "ALTER DATABASE " + Sql.ident(to) + " ALLOW_CONNECTIONS true;\n";
    }

    /** Renames as {@link #closeAndRename}; when it fails, lets connections in again under whichever name holds. */
    private void renameClosing(String from, String to) {
        try {
            session.execute(maintenance, closeAndRename(from, to));
        } catch (RuntimeException e) {
            for (String name : List.of(from, to)) {
                try {
                    session.execute(maintenance, "ALTER DATABASE " + Sql.ident(name) + " ALLOW_CONNECTIONS true;\n");
                } catch (RuntimeException ignored) {
                    // that name does not exist
                }
            }
            throw e;
        }
    }

    /**
     * After a target's swap failed: how far it got, from the server's catalog. Null when nothing of it happened, and
     * when that cannot be known (the catalog cannot be read): guessing could move or drop the wrong database.
     */
    private Step partial(String staging, String target, String aside) {
        try {
            ServerCatalog now = session.catalog(maintenance);
            boolean movedAside = aside != null && now.hasDatabase(aside);
            boolean swapped = !now.hasDatabase(staging) && now.hasDatabase(target);
            if (movedAside) {
                session.execute(maintenance, "ALTER DATABASE " + Sql.ident(aside) + " ALLOW_CONNECTIONS true;\n");
            } else if (aside != null && now.hasDatabase(target) && !swapped) {
                session.execute(maintenance, "ALTER DATABASE " + Sql.ident(target) + " ALLOW_CONNECTIONS true;\n");
            }
            return movedAside || swapped ? new Step(staging, target, movedAside ? aside : null, swapped) : null;
        } catch (RuntimeException e) {
            LOG.warn("cannot tell how far the swap of '{}' got ({}); it is left as it is: look for {} and {}", target,
                    e.getMessage(), staging, aside == null ? "no previous database" : aside);
            return null;
        }
    }

    /**
     * Undoes the swaps already made, newest first, then drops the staging databases not in place. Returns the
     * exception to throw: the original failure, with what could not be undone named in its message.
     */
    private RuntimeException rollBack(List<Step> done, RestoreTarget failed, RuntimeException cause) {
        List<String> stuck = new ArrayList<>();
        java.util.Set<String> keep = new java.util.HashSet<>();
        for (int j = done.size() - 1; j >= 0; j--) {
            Step step = done.get(j);
            boolean movedBack = !step.swapped();
            if (step.swapped()) {
                try {
                    renameClosing(step.target(), step.staging());
                    movedBack = true;
                } catch (RuntimeException e) {
                    cause.addSuppressed(e);
                    stuck.add("'" + step.target() + "' holds the restored copy");
                }
            }
            if (step.aside() != null) {
                try {
                    if (!movedBack) {
                        throw new IllegalStateException("its name is taken");
                    }
                    session.execute(maintenance, "ALTER DATABASE " + Sql.ident(step.aside()) + " RENAME TO "
                            + Sql.ident(step.target()) + ";\n");
                } catch (RuntimeException e) {
                    cause.addSuppressed(e);
                    stuck.add("the previous '" + step.target() + "' is kept as " + step.aside());
                    if (movedBack && step.swapped()) {
                        // the previous database may be gone (dropped in the failing run): keep the restored copy
                        keep.add(step.staging());
                        stuck.add("the restored copy of '" + step.target() + "' is kept as " + step.staging());
                    }
                }
            }
        }
        // every staging name but those kept: the ones moved back and the ones never swapped
        dropQuietly(names.stream().filter(n -> !keep.contains(n)).toList(), cause);
        String message = "restoring database '" + failed.source() + "' as '" + failed.name() + "' failed at the swap ("
                + cause.getMessage() + "); " + (stuck.isEmpty()
                ? "every database swapped before it was put back: the cluster is as it was"
                : "these could not be put back: " + String.join("; ", stuck));
        LOG.warn(message);
        return new PgVaultException(ErrorCode.TOOL_FAILED, message, cause);
    }

    /**
     * One target's swap, as far as it got.
     *
     * @param staging the staging name of the new database
     * @param target  the target name
     * @param aside   where the previous database was renamed, or null when nothing was replaced
     * @param swapped whether the new database took the target name
     */
    private record Step(String staging, String target, String aside, boolean swapped) {
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
