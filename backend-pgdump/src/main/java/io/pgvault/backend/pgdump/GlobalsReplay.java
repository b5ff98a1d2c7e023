package io.pgvault.backend.pgdump;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.StoredObject;
import io.pgvault.spi.ReadContext;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The roles and tablespaces a set recorded with {@code pg_dumpall --globals-only}, applied so that a failed restore
 * changes nothing: the roles the cluster lacks are created bare (NOLOGIN, no attributes) before staging, since the
 * dumps' ownership needs them, and dropped again if the restore fails; the whole script (attributes, passwords,
 * memberships) is applied only after every database was loaded into staging, with {@code ON_ERROR_STOP} and in one
 * transaction unless it creates a tablespace (which PostgreSQL does not allow in a transaction). Lines that would only
 * fail because the object exists ({@code CREATE ROLE x;} of an existing role, {@code CREATE TABLESPACE} of an existing
 * tablespace) are left out. The script passes {@link PsqlScriptGuard} first, twice: as stored and as applied.
 */
final class GlobalsReplay {
    private static final Logger LOG = LoggerFactory.getLogger(GlobalsReplay.class);
    /** Globals are roles and tablespaces: a few kilobytes; anything near this is not what pg_dumpall wrote. */
    static final int MAX_BYTES = 16 * 1024 * 1024;
    private static final String IDENT = "(\"(?:[^\"]|\"\")+\"|[a-z_][a-z0-9_$]*)";
    private static final Pattern CREATE_ROLE = Pattern.compile("CREATE ROLE " + IDENT + ";");
    private static final Pattern CREATE_TABLESPACE = Pattern.compile("CREATE TABLESPACE " + IDENT + " .*;");
    private static final String TABLESPACES = "SELECT encode(convert_to(spcname, 'UTF8'), 'hex') FROM "
            + "pg_catalog.pg_tablespace ORDER BY 1;\n";

    private final List<String> lines;

    private GlobalsReplay(List<String> lines) {
        this.lines = lines;
    }

    /**
     * Reads the set's globals through the script guard, whole (they are small; a larger object is refused).
     *
     * @param ctx     the restore's read context (decodes and checks digests)
     * @param globals the globals object
     * @return the script
     * @throws UnsafeScriptException when it holds a psql meta-command or another construct the guard refuses
     */
    static GlobalsReplay read(ReadContext ctx, StoredObject globals) {
        if (globals.logicalBytes() > MAX_BYTES) {
            throw new IntegrityException("the globals of this set record " + globals.logicalBytes() + " bytes, more"
                    + " than the " + MAX_BYTES + " pg_dumpall --globals-only writes; refused");
        }
        byte[] bytes;
        try (InputStream in = PsqlScriptGuard.of(Optional.empty()).withoutCopy().filter(ctx.openObject(globals))) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw new IntegrityException("cannot read the globals " + globals.key() + ": " + e.getMessage(), e);
        }
        if (bytes.length > MAX_BYTES) {
            throw new IntegrityException("the globals " + globals.key() + " are larger than " + MAX_BYTES + " bytes");
        }
        // split on LF only: a lone CR (inside a literal) stays in its line, and the script is rejoined unchanged
        return new GlobalsReplay(List.of(new String(bytes, StandardCharsets.UTF_8).split("\n", -1)));
    }

    /** @return the roles the script creates, by name */
    Set<String> roles() {
        return names(CREATE_ROLE);
    }

    private Set<String> names(Pattern pattern) {
        Set<String> names = new LinkedHashSet<>();
        for (String line : lines) {
            Matcher m = pattern.matcher(line);
            if (m.matches()) {
                names.add(unquote(m.group(1)));
            }
        }
        return names;
    }

    /**
     * Creates, bare, the roles the script names and the cluster lacks (one transaction).
     *
     * @param existing the roles the cluster has
     * @return the roles created, for {@link #dropRoles} after a failure
     */
    List<String> createMissingRoles(PgSession session, String maintenance, Set<String> existing) {
        List<String> missing = roles().stream().filter(r -> !existing.contains(r)).toList();
        if (missing.isEmpty()) {
            return List.of();
        }
        StringBuilder sql = new StringBuilder("BEGIN;\n");
        missing.forEach(r -> sql.append("CREATE ROLE ").append(Sql.ident(r)).append(";\n"));
        session.execute(maintenance, sql.append("COMMIT;\n").toString());
        LOG.info("created {} role(s) the set's databases need, without attributes until the restore is proven: {}",
                missing.size(), missing);
        return missing;
    }

    /**
     * Applies the script: every role exists by now, so its {@code CREATE ROLE} lines are left out, and so are the
     * {@code CREATE TABLESPACE} lines of tablespaces the cluster has.
     */
    void apply(PgSession session, String maintenance) {
        Set<String> tablespaces = new LinkedHashSet<>();
        session.query(maintenance, TABLESPACES).forEach(h -> tablespaces.add(Sql.fromHex(h.strip())));
        List<String> applied = new ArrayList<>();
        boolean createsTablespace = false;
        for (String line : lines) {
            if (CREATE_ROLE.matcher(line).matches()) {
                continue;
            }
            Matcher ts = CREATE_TABLESPACE.matcher(line);
            if (ts.matches()) {
                if (tablespaces.contains(unquote(ts.group(1)))) {
                    continue;
                }
                createsTablespace = true;
            }
            applied.add(line);
        }
        byte[] script = String.join("\n", applied).getBytes(StandardCharsets.UTF_8);
        ToolCommand.Builder cmd = session.command("psql").arg("-X", "-q", "-v", "ON_ERROR_STOP=1");
        boolean restricted = session.psqlRestricts();
        try (ToolProcess p = session.start(cmd.arg("-d", PgSession.conninfo(maintenance), "-f", "-").build())) {
            InputStream guarded = PsqlScriptGuard.of(Optional.empty()).withoutCopy()
                    .filter(new ByteArrayInputStream(script));
            ToolStreams.feed(p, RestrictedScript.forPsql(guarded, restricted, !createsTablespace));
        } catch (RuntimeException e) {
            if (createsTablespace) {
                throw new PgVaultException(e instanceof PgVaultException pe ? pe.code() : ErrorCode.TOOL_FAILED,
                        "applying the set's globals failed part-way: they create a tablespace, which PostgreSQL does"
                                + " not allow in a transaction, so the statements before the failing one (role"
                                + " attributes, passwords, memberships) remain applied: " + e.getMessage(), e);
            }
            throw e;
        }
        LOG.info("applied the set's globals (roles, memberships{}){}", createsTablespace ? ", tablespaces" : "",
                createsTablespace ? " statement by statement: CREATE TABLESPACE cannot run in a transaction" : "");
    }

    /** Drops roles this restore created, after it failed; failures are added to {@code cause}. */
    static void dropRoles(PgSession session, String maintenance, List<String> roles, Throwable cause) {
        for (String role : roles) {
            try {
                session.execute(maintenance, "DROP ROLE IF EXISTS " + Sql.ident(role) + ";\n");
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
                LOG.warn("could not drop role {} created by a failed restore; drop it by hand: {}", role,
                        e.getMessage());
            }
        }
    }

    private static String unquote(String ident) {
        return ident.startsWith("\"") ? ident.substring(1, ident.length() - 1).replace("\"\"", "\"") : ident;
    }
}
