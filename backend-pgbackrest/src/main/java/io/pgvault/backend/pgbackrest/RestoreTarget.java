package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ConfigurationException;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How far a physical restore replays WAL: pgBackRest's {@code --type} and {@code --target}.
 *
 * <pre>{@code
 * RestoreTarget.latest()                        // --type=default: replay every archived WAL segment
 * RestoreTarget.immediate()                     // --type=immediate: stop as soon as the backup is consistent
 * RestoreTarget.time(noted)                     // --type=time --target='2026-11-21 10:10:10.123456+00'
 * RestoreTarget.lsn("0/3000060")                // --type=lsn
 * RestoreTarget.xid("7421")                     // --type=xid
 * RestoreTarget.name("before-migration")        // --type=name (pg_create_restore_point)
 * }</pre>
 *
 * @since 0.1.0
 */
public sealed interface RestoreTarget {

    /**
     * @return the arguments this target adds to {@code pgbackrest restore}
     * @since 0.1.0
     */
    List<String> arguments();

    /**
     * @return whether this target stops recovery before the end of the archived WAL (so {@code --target-action}
     *         applies)
     * @since 0.1.0
     */
    default boolean stopsEarly() {
        return true;
    }

    /**
     * @return replay all archived WAL
     * @since 0.1.0
     */
    static RestoreTarget latest() {
        return Latest.INSTANCE;
    }

    /**
     * @return stop as soon as the backup is consistent
     * @since 0.1.0
     */
    static RestoreTarget immediate() {
        return Immediate.INSTANCE;
    }

    /**
     * @param time replay transactions committed up to this instant (inclusive)
     * @return a time target
     * @since 0.1.0
     */
    static RestoreTarget time(Instant time) {
        return new Time(time, false);
    }

    /**
     * @param lsn a WAL location, e.g. {@code 0/3000060}
     * @return an LSN target
     * @since 0.1.0
     */
    static RestoreTarget lsn(String lsn) {
        return new Lsn(lsn, false);
    }

    /**
     * @param xid a transaction id
     * @return a transaction target
     * @since 0.1.0
     */
    static RestoreTarget xid(String xid) {
        return new Xid(xid, false);
    }

    /**
     * @param name a restore point made with {@code pg_create_restore_point(name)}
     * @return a named target
     * @since 0.1.0
     */
    static RestoreTarget name(String name) {
        return new Name(name);
    }

    /**
     * Replay every archived WAL segment ({@code --type=default}).
     *
     * @since 0.1.0
     */
    enum Latest implements RestoreTarget {
        /** The only instance. */
        INSTANCE;

        @Override
        public List<String> arguments() {
            return List.of("--type=default");
        }

        @Override
        public boolean stopsEarly() {
            return false;
        }
    }

    /**
     * Stop at the first consistent point after the backup ({@code --type=immediate}).
     *
     * @since 0.1.0
     */
    enum Immediate implements RestoreTarget {
        /** The only instance. */
        INSTANCE;

        @Override
        public List<String> arguments() {
            return List.of("--type=immediate");
        }
    }

    /**
     * Stop at a point in time ({@code --type=time}).
     *
     * @param time      the target instant, sent in UTC with microseconds
     * @param exclusive stop just before the target rather than just after it ({@code --target-exclusive})
     * @since 0.1.0
     */
    record Time(Instant time, boolean exclusive) implements RestoreTarget {
        private static final DateTimeFormatter FORMAT =
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS'+00'").withZone(ZoneOffset.UTC);

        /** Validates the time. */
        public Time {
            Objects.requireNonNull(time, "time");
        }

        @Override
        public List<String> arguments() {
            return withExclusive(List.of("--type=time", "--target=" + FORMAT.format(time)), exclusive);
        }
    }

    /**
     * Stop at a WAL location ({@code --type=lsn}).
     *
     * @param lsn       e.g. {@code 0/3000060}
     * @param exclusive stop just before the location
     * @since 0.1.0
     */
    record Lsn(String lsn, boolean exclusive) implements RestoreTarget {
        private static final Pattern LSN = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

        /** Validates the location. */
        public Lsn {
            if (lsn == null || !LSN.matcher(lsn).matches()) {
                throw new ConfigurationException("an LSN looks like 0/3000060, was '" + lsn + "'");
            }
        }

        @Override
        public List<String> arguments() {
            return withExclusive(List.of("--type=lsn", "--target=" + lsn), exclusive);
        }
    }

    /**
     * Stop at a transaction ({@code --type=xid}).
     *
     * @param xid       the transaction id
     * @param exclusive stop just before the transaction
     * @since 0.1.0
     */
    record Xid(String xid, boolean exclusive) implements RestoreTarget {
        /** Validates the transaction id. */
        public Xid {
            if (xid == null || !xid.matches("[0-9]{1,20}")) {
                throw new ConfigurationException("a transaction id is a number, was '" + xid + "'");
            }
        }

        @Override
        public List<String> arguments() {
            return withExclusive(List.of("--type=xid", "--target=" + xid), exclusive);
        }
    }

    /**
     * Stop at a named restore point ({@code --type=name}).
     *
     * @param name the name given to {@code pg_create_restore_point}
     * @since 0.1.0
     */
    record Name(String name) implements RestoreTarget {
        /** Validates the name. */
        public Name {
            if (name == null || name.isBlank() || name.length() > 63 || name.chars().anyMatch(c -> c < 0x20)) {
                throw new ConfigurationException("a restore point name is 1-63 printable characters, was '" + name
                        + "'");
            }
        }

        @Override
        public List<String> arguments() {
            return List.of("--type=name", "--target=" + name);
        }
    }

    private static List<String> withExclusive(List<String> args, boolean exclusive) {
        if (!exclusive) {
            return args;
        }
        return java.util.stream.Stream.concat(args.stream(), java.util.stream.Stream.of("--target-exclusive"))
                .toList();
    }
}
