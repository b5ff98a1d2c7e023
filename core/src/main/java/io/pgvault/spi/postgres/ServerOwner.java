package io.pgvault.spi.postgres;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The process that made a server's directory, written into the directory's name so that a later process can tell a
 * directory whose maker is dead (a JVM killed during a drill leaves its server running and a full copy of production
 * on disk) from one in use: {@code <where><pid><start>-}, base 36 in 6, 5 and 7 characters, where {@code where} is a
 * digest of the kernel's boot id and this process's pid namespace, and {@code start} the maker's start in clock ticks
 * since boot ({@code /proc/<pid>/stat}, field 22: unlike a start given as a wall-clock time it does not move when the
 * clock is stepped). A pid means something only within one boot and one pid namespace, so a directory whose
 * {@code where} differs (another container sharing the volume, a container restarted in a new namespace, another
 * host, a previous boot) is never judged: it might be in use there.
 *
 * @param where digest of boot id and pid namespace, 6 characters
 * @param pid   the maker's process id
 * @param start the maker's start in clock ticks since boot
 */
record ServerOwner(String where, long pid, long start) {
    /** The length of a tag, its final {@code -} included. */
    static final int LENGTH = 19;
    private static final long MAX_PID = 60_466_176L; // 36^5
    private static final long MAX_START = 78_364_164_096L; // 36^7
    private static final Pattern TAG = Pattern.compile("([0-9a-z]{6})([0-9a-z]{5})([0-9a-z]{7})-");

    /** @return this process, or empty where /proc cannot tell (no such directory names then) */
    static Optional<ServerOwner> current() {
        long pid = ProcessHandle.current().pid();
        return here().flatMap(w -> startTicks(pid).filter(t -> t < MAX_START && pid < MAX_PID)
                .map(t -> new ServerOwner(w, pid, t)));
    }

    /**
     * @param pid a process
     * @return its start in clock ticks since boot, when {@code /proc/<pid>/stat} can be read and it is not a zombie
     */
    static Optional<Long> startTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            // after the command name, which may hold spaces and parentheses: state is field 3, starttime field 22
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (f.length < 20 || f[0].equals("Z") || f[0].equals("X")) {
                return Optional.empty();
            }
            return Optional.of(Long.parseLong(f[19]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** @return the digest of this boot and pid namespace, if both can be read */
    static Optional<String> here() {
        try {
            String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id"), StandardCharsets.US_ASCII)
                    .strip();
            String ns = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
            byte[] d = MessageDigest.getInstance("SHA-256").digest((boot + "\n" + ns)
                    .getBytes(StandardCharsets.US_ASCII));
            long v = 0;
            for (int i = 0; i < 4; i++) {
                v = v << 8 | (d[i] & 0xff);
            }
            return Optional.of(base36(v % 2_176_782_336L, 6)); // 36^6
        } catch (IOException | UnsupportedOperationException | NoSuchAlgorithmException e) {
            return Optional.empty();
        }
    }

    /** @return the part of a directory name after the caller's prefix, ending in {@code -} */
    String tag() {
        return where + base36(pid, 5) + base36(start, 7) + "-";
    }

    private static String base36(long v, int width) {
        String s = Long.toString(v, 36);
        if (s.length() > width) {
            throw new IllegalStateException(v + " does not fit " + width + " base-36 digits");
        }
        return "0".repeat(width - s.length()) + s;
    }

    /**
     * @param name   a directory's name
     * @param prefix the prefix its maker used
     * @return its maker, when the name carries one
     */
    static Optional<ServerOwner> parse(String name, String prefix) {
        if (!name.startsWith(prefix)) {
            return Optional.empty();
        }
        Matcher m = TAG.matcher(name.substring(prefix.length()));
        if (!m.lookingAt()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ServerOwner(m.group(1), Long.parseLong(m.group(2), 36),
                    Long.parseLong(m.group(3), 36)));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * @param here this process's {@link #here()}
     * @return whether the maker is known to be gone: same boot and pid namespace, and no live process with its pid
     *         and start (none at all, a zombie, or one that started at another tick: the pid was reused)
     */
    boolean deadSeenFrom(String here) {
        if (!where.equals(here)) {
            return false;
        }
        return startTicks(pid).map(t -> t != start).orElse(true);
    }
}
