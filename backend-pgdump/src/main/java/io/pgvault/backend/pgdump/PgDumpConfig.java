package io.pgvault.backend.pgdump;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.PgConnection;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link PgDumpStrategy} dumps and how. Immutable; built with {@link #builder()}, which checks every setting
 * and reports all problems at once in one {@link ConfigurationException}.
 *
 * <pre>{@code
 * PgDumpConfig config = PgDumpConfig.builder()
 *         .connection(PgConnection.builder().host("db").user("backup").password(secret).database("app").build())
 *         .format(DumpFormat.CUSTOM)
 *         .excludeTable("public.audit_log")
 *         .includeGlobals(true)
 *         .build();
 * }</pre>
 *
 * @since 0.1.0
 */
public final class PgDumpConfig {
    /** Longest database name PostgreSQL accepts, in bytes (NAMEDATALEN - 1). */
    private static final int MAX_NAME_BYTES = 63;

    private final PgConnection connection;
    private final DumpFormat format;
    private final int jobs;
    private final List<String> databases;
    private final boolean allDatabases;
    private final boolean schemaOnly;
    private final List<String> includeSchemas;
    private final List<String> excludeSchemas;
    private final List<String> includeTables;
    private final List<String> excludeTables;
    private final boolean noOwner;
    private final boolean noPrivileges;
    private final boolean includeGlobals;
    private final boolean noRolePasswords;
    private final Duration toolTimeout;
    private final PasswordTransport passwordTransport;
    private final boolean rowCounts;

    private PgDumpConfig(Builder b) {
        this.connection = b.connection;
        this.format = b.format;
        this.jobs = b.jobs;
        this.databases = List.copyOf(b.databases);
        this.allDatabases = b.allDatabases;
        this.schemaOnly = b.schemaOnly;
        this.includeSchemas = List.copyOf(b.includeSchemas);
        this.excludeSchemas = List.copyOf(b.excludeSchemas);
        this.includeTables = List.copyOf(b.includeTables);
        this.excludeTables = List.copyOf(b.excludeTables);
        this.noOwner = b.noOwner;
        this.noPrivileges = b.noPrivileges;
        this.includeGlobals = b.includeGlobals;
        this.noRolePasswords = b.noRolePasswords;
        this.toolTimeout = b.toolTimeout;
        this.passwordTransport = b.passwordTransport;
        this.rowCounts = b.rowCounts;
    }

    /**
     * @return a builder with the defaults: custom format, one job, the connection's database, everything in it
     * @since 0.1.0
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return a builder holding this configuration's settings
     * @since 0.1.0
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.connection = connection;
        b.format = format;
        b.jobs = jobs;
        b.databases.addAll(databases);
        b.allDatabases = allDatabases;
        b.schemaOnly = schemaOnly;
        b.includeSchemas.addAll(includeSchemas);
        b.excludeSchemas.addAll(excludeSchemas);
        b.includeTables.addAll(includeTables);
        b.excludeTables.addAll(excludeTables);
        b.noOwner = noOwner;
        b.noPrivileges = noPrivileges;
        b.includeGlobals = includeGlobals;
        b.noRolePasswords = noRolePasswords;
        b.toolTimeout = toolTimeout;
        b.passwordTransport = passwordTransport;
        b.rowCounts = rowCounts;
        return b;
    }

    /**
     * @return the server to dump, and the default server to restore into (required; no default)
     * @since 0.1.0
     */
    public PgConnection connection() {
        return connection;
    }

    /**
     * @return the dump format (default {@link DumpFormat#CUSTOM})
     * @since 0.1.0
     */
    public DumpFormat format() {
        return format;
    }

    /**
     * @return pg_dump's parallel jobs for the directory format (default 1); as many threads send the finished files
     *         (at least two), and pg_dump is paused while all of them are busy
     * @since 0.1.0
     */
    public int jobs() {
        return jobs;
    }

    /**
     * @return the databases named for dumping (default empty: the connection's database, unless
     *         {@link #allDatabases()})
     * @since 0.1.0
     */
    public List<String> databases() {
        return databases;
    }

    /**
     * @return whether every database that accepts connections and is not a template is dumped (default false)
     * @since 0.1.0
     */
    public boolean allDatabases() {
        return allDatabases;
    }

    /**
     * @return whether only definitions are dumped, no data ({@code --schema-only}; default false)
     * @since 0.1.0
     */
    public boolean schemaOnly() {
        return schemaOnly;
    }

    /**
     * @return pg_dump {@code --schema} patterns (default empty: every schema)
     * @since 0.1.0
     */
    public List<String> includeSchemas() {
        return includeSchemas;
    }

    /**
     * @return pg_dump {@code --exclude-schema} patterns (default empty)
     * @since 0.1.0
     */
    public List<String> excludeSchemas() {
        return excludeSchemas;
    }

    /**
     * @return pg_dump {@code --table} patterns (default empty: every table)
     * @since 0.1.0
     */
    public List<String> includeTables() {
        return includeTables;
    }

    /**
     * @return pg_dump {@code --exclude-table} patterns (default empty)
     * @since 0.1.0
     */
    public List<String> excludeTables() {
        return excludeTables;
    }

    /**
     * @return whether ownership is left out ({@code --no-owner}; default false). Restored objects, and restored
     *         databases, are then owned by the restoring role.
     * @since 0.1.0
     */
    public boolean noOwner() {
        return noOwner;
    }

    /**
     * @return whether GRANT/REVOKE are left out ({@code --no-privileges}; default false)
     * @since 0.1.0
     */
    public boolean noPrivileges() {
        return noPrivileges;
    }

    /**
     * @return whether roles and tablespaces are dumped too, with {@code pg_dumpall --globals-only}, as the extra
     *         object {@code globals.sql} (default false; needs a superuser to include role passwords)
     * @since 0.1.0
     */
    public boolean includeGlobals() {
        return includeGlobals;
    }

    /**
     * @return whether role passwords are left out of the globals ({@code --no-role-passwords}; default false),
     *         which lets a non-superuser dump them
     * @since 0.1.0
     */
    public boolean noRolePasswords() {
        return noRolePasswords;
    }

    /**
     * @return the time limit of each pg_dump, pg_dumpall, psql or pg_restore run (default 12 hours); the process
     *         tree is killed when it is exceeded
     * @since 0.1.0
     */
    public Duration toolTimeout() {
        return toolTimeout;
    }

    /**
     * @return how the connection's password reaches the tools (default {@link PasswordTransport#PASSFILE})
     * @since 0.1.0
     */
    public PasswordTransport passwordTransport() {
        return passwordTransport;
    }

    /**
     * @return whether the exact row count of every dumped table is recorded in the set (attribute
     *         {@code rowCounts}), counted in the very snapshot pg_dump dumps (default true; see
     *         {@link PgDumpStrategy}); restore drills compare a restored copy against them
     * @since 0.2.0
     */
    public boolean rowCounts() {
        return rowCounts;
    }

    /** @return the databases to dump when they are named or defaulted; empty when {@link #allDatabases()} */
    List<String> namedDatabases() {
        if (allDatabases) {
            return List.of();
        }
        return databases.isEmpty() ? List.of(connection.database()) : databases;
    }

    @Override
    public String toString() {
        return "PgDumpConfig[" + connection + ", format=" + format.label() + ", jobs=" + jobs
                + ", databases=" + (allDatabases ? "ALL" : namedDatabases()) + (schemaOnly ? ", schemaOnly" : "")
                + (includeSchemas.isEmpty() ? "" : ", schemas=" + includeSchemas)
                + (excludeSchemas.isEmpty() ? "" : ", excludeSchemas=" + excludeSchemas)
                + (includeTables.isEmpty() ? "" : ", tables=" + includeTables)
                + (excludeTables.isEmpty() ? "" : ", excludeTables=" + excludeTables)
                + (noOwner ? ", noOwner" : "") + (noPrivileges ? ", noPrivileges" : "")
                + (includeGlobals ? ", globals" + (noRolePasswords ? " without role passwords" : "") : "") + "]";
    }

    /**
     * Builds a {@link PgDumpConfig}.
     *
     * @since 0.1.0
     */
    public static final class Builder {
        private PgConnection connection;
        private DumpFormat format = DumpFormat.CUSTOM;
        private int jobs = 1;
        private final List<String> databases = new ArrayList<>();
        private boolean allDatabases;
        private boolean schemaOnly;
        private final List<String> includeSchemas = new ArrayList<>();
        private final List<String> excludeSchemas = new ArrayList<>();
        private final List<String> includeTables = new ArrayList<>();
        private final List<String> excludeTables = new ArrayList<>();
        private boolean noOwner;
        private boolean noPrivileges;
        private boolean includeGlobals;
        private boolean noRolePasswords;
        private Duration toolTimeout = Duration.ofHours(12);
        private PasswordTransport passwordTransport = PasswordTransport.PASSFILE;
        private boolean rowCounts = true;

        private Builder() {
        }

        /**
         * @param connection server to dump and, by default, to restore into (required)
         * @return this
         * @since 0.1.0
         */
        public Builder connection(PgConnection connection) {
            this.connection = connection;
            return this;
        }

        /**
         * @param format dump format; default {@link DumpFormat#CUSTOM}
         * @return this
         * @since 0.1.0
         */
        public Builder format(DumpFormat format) {
            this.format = format;
            return this;
        }

        /**
         * @param jobs pg_dump's parallel jobs, 1..64; more than one needs {@link DumpFormat#DIRECTORY}; default 1
         * @return this
         * @since 0.1.0
         */
        public Builder jobs(int jobs) {
            this.jobs = jobs;
            return this;
        }

        /**
         * @param database a database to dump (repeatable); default the connection's database
         * @return this
         * @since 0.1.0
         */
        public Builder database(String database) {
            this.databases.add(database);
            return this;
        }

        /**
         * @param names the databases to dump, replacing any named before; default the connection's database
         * @return this
         * @since 0.1.0
         */
        public Builder databases(List<String> names) {
            this.databases.clear();
            this.databases.addAll(names);
            return this;
        }

        /**
         * Dumps every database that accepts connections and is not a template
         * ({@code select datname from pg_database where datallowconn and not datistemplate}), looked up at each
         * backup, into one set with one object per database. Default false.
         *
         * @param all whether to dump every database
         * @return this
         * @since 0.1.0
         */
        public Builder allDatabases(boolean all) {
            this.allDatabases = all;
            return this;
        }

        /**
         * @param schemaOnly dump definitions only ({@code --schema-only}); default false
         * @return this
         * @since 0.1.0
         */
        public Builder schemaOnly(boolean schemaOnly) {
            this.schemaOnly = schemaOnly;
            return this;
        }

        /**
         * @param pattern a pg_dump schema pattern to include (repeatable, {@code --schema}); default every schema
         * @return this
         * @since 0.1.0
         */
        public Builder includeSchema(String pattern) {
            this.includeSchemas.add(pattern);
            return this;
        }

        /**
         * @param pattern a pg_dump schema pattern to leave out (repeatable, {@code --exclude-schema}); default none
         * @return this
         * @since 0.1.0
         */
        public Builder excludeSchema(String pattern) {
            this.excludeSchemas.add(pattern);
            return this;
        }

        /**
         * @param pattern a pg_dump table pattern to include (repeatable, {@code --table}); default every table
         * @return this
         * @since 0.1.0
         */
        public Builder includeTable(String pattern) {
            this.includeTables.add(pattern);
            return this;
        }

        /**
         * @param pattern a pg_dump table pattern to leave out (repeatable, {@code --exclude-table}); default none
         * @return this
         * @since 0.1.0
         */
        public Builder excludeTable(String pattern) {
            this.excludeTables.add(pattern);
            return this;
        }

        /**
         * @param noOwner leave ownership out ({@code --no-owner}); default false
         * @return this
         * @since 0.1.0
         */
        public Builder noOwner(boolean noOwner) {
            this.noOwner = noOwner;
            return this;
        }

        /**
         * @param noPrivileges leave GRANT/REVOKE out ({@code --no-privileges}); default false
         * @return this
         * @since 0.1.0
         */
        public Builder noPrivileges(boolean noPrivileges) {
            this.noPrivileges = noPrivileges;
            return this;
        }

        /**
         * @param include also dump roles and tablespaces ({@code pg_dumpall --globals-only}); default false
         * @return this
         * @since 0.1.0
         */
        public Builder includeGlobals(boolean include) {
            this.includeGlobals = include;
            return this;
        }

        /**
         * @param noRolePasswords leave role passwords out of the globals ({@code --no-role-passwords}); default false
         * @return this
         * @since 0.1.0
         */
        public Builder noRolePasswords(boolean noRolePasswords) {
            this.noRolePasswords = noRolePasswords;
            return this;
        }

        /**
         * @param timeout time limit of each tool run; default 12 hours
         * @return this
         * @since 0.1.0
         */
        public Builder toolTimeout(Duration timeout) {
            this.toolTimeout = timeout;
            return this;
        }

        /**
         * @param transport how the password reaches the tools; default {@link PasswordTransport#PASSFILE}
         * @return this
         * @since 0.1.0
         */
        public Builder passwordTransport(PasswordTransport transport) {
            this.passwordTransport = transport;
            return this;
        }

        /**
         * @param record record exact per-table row counts, counted in the dump's snapshot while pg_dump runs;
         *               default true (costs one extra scan of every table, concurrent with the dump)
         * @return this
         * @since 0.2.0
         */
        public Builder rowCounts(boolean record) {
            this.rowCounts = record;
            return this;
        }

        /**
         * @return the validated configuration
         * @throws ConfigurationException listing every problem found
         * @since 0.1.0
         */
        public PgDumpConfig build() {
            List<String> problems = new ArrayList<>();
            if (connection == null) {
                problems.add("connection is required");
            }
            if (format == null) {
                problems.add("format must not be null");
            }
            if (jobs < 1 || jobs > 64) {
                problems.add("jobs must be 1..64, was " + jobs);
            } else if (jobs > 1 && format != DumpFormat.DIRECTORY) {
                problems.add("jobs > 1 needs the directory format (pg_dump dumps in parallel only into a directory)");
            }
            if (allDatabases && !databases.isEmpty()) {
                problems.add("name databases or choose allDatabases, not both");
            }
            Set<String> seen = new HashSet<>();
            for (String db : databases) {
                if (db == null || db.isBlank()) {
                    problems.add("a database name must not be blank");
                } else if (db.indexOf('\0') >= 0) {
                    problems.add("a database name must not contain NUL");
                } else if (db.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
                    problems.add("database name '" + db + "' is longer than " + MAX_NAME_BYTES + " bytes");
                } else if (!seen.add(db)) {
                    problems.add("database '" + db + "' is named twice");
                }
            }
            checkPatterns("includeSchema", includeSchemas, problems);
            checkPatterns("excludeSchema", excludeSchemas, problems);
            checkPatterns("includeTable", includeTables, problems);
            checkPatterns("excludeTable", excludeTables, problems);
            if (noRolePasswords && !includeGlobals) {
                problems.add("noRolePasswords only applies with includeGlobals");
            }
            if (toolTimeout == null || toolTimeout.isZero() || toolTimeout.isNegative()) {
                problems.add("toolTimeout must be positive");
            }
            if (passwordTransport == null) {
                problems.add("passwordTransport must not be null");
            }
            ConfigurationException.throwIfAny(problems);
            Objects.requireNonNull(connection);
            return new PgDumpConfig(this);
        }

        private static void checkPatterns(String what, List<String> patterns, List<String> problems) {
            for (String p : patterns) {
                if (p == null || p.isBlank()) {
                    problems.add(what + " pattern must not be blank");
                } else if (p.indexOf('\0') >= 0) {
                    problems.add(what + " pattern must not contain NUL");
                }
            }
        }
    }
}
