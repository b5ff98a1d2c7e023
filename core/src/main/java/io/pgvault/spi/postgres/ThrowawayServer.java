package io.pgvault.spi.postgres;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.Secret;
import io.pgvault.api.ToolException;
import io.pgvault.spi.process.Launcher;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.RunningProgram;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A PostgreSQL server made for a while and removed again: its own private {@link ServerDirectory} (data directory,
 * Unix socket, log), {@code initdb} and {@code pg_ctl} run as the server's OS user through its launcher, started on a
 * port of {@value #HOST} with address, socket directory (mode 0700) and port on the command line, so that a restored
 * data directory's own settings cannot make it listen elsewhere. Restore drills and the test kit's clusters are both
 * this; they differ in authentication (SCRAM with a random password, or {@code trust}), settings and what they do
 * with the server.
 *
 * <pre>{@code
 * ThrowawayServer s = ThrowawayServer.builder(ServerBinaries.inspect(binDir)).osUser("postgres")
 *         .baseDirectory(work).create();
 * s.initdb("postgres", Optional.of(password), "C.UTF-8", List.of("fsync = off"));
 * s.start(ThrowawayServer.freePort(), Duration.ofMinutes(1), List.of(), false);
 * ...
 * s.close(); // stops it and removes the directory
 * }</pre>
 *
 * Not thread-safe: one owner drives it.
 *
 * @since 0.6.0
 */
public final class ThrowawayServer implements AutoCloseable {
    /**
     * The only address it listens on.
     *
     * @since 0.6.0
     */
    public static final String HOST = "127.0.0.1";
    private static final Logger LOG = LoggerFactory.getLogger(ThrowawayServer.class);
    /** Unix socket paths are limited to 107 bytes; {@code /.s.PGSQL.NNNNN} takes 16 of them. */
    private static final int MAX_DIRECTORY_LENGTH = 90;
    /** Paths and options reach pg_ctl's {@code -o}, which a shell parses: only plain characters. */
    private static final Pattern PLAIN_PATH = Pattern.compile("[A-Za-z0-9/._-]+");
    private static final Pattern PLAIN_OPTION = Pattern.compile("[A-Za-z0-9_.]+=[A-Za-z0-9_./:-]*");

    private final ServerBinaries binaries;
    private final Optional<String> osUser;
    private final ProcessRunner server;
    private final ServerDirectory files;
    private final Path dataDirectory;
    private final boolean adopted;
    /** The lock this process holds on the directory while it lives (see {@link OwnerLock}), where it could be made. */
    private final Optional<OwnerLock> ownerLock;
    /** The postmaster's pid read right after a start, verified again before any kill. */
    private OptionalLong startedPid = OptionalLong.empty();

    private ThrowawayServer(Builder b, ProcessRunner server, ServerDirectory files, Optional<OwnerLock> ownerLock) {
        this.ownerLock = ownerLock;
        this.binaries = b.binaries;
        this.osUser = b.osUser;
        this.server = server;
        this.files = files;
        this.dataDirectory = b.existingDataDirectory != null ? b.existingDataDirectory : files.path().resolve("data");
        this.adopted = b.existingDataDirectory != null;
    }

    /**
     * @param binaries the server binaries
     * @return a builder
     * @since 0.6.0
     */
    public static Builder builder(ServerBinaries binaries) {
        return new Builder(binaries);
    }

    /**
     * @return whether this JVM runs as root (PostgreSQL refuses root: the server must then run as another user)
     * @since 0.6.0
     */
    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /**
     * Checks a base directory before anything is created in it: its path reaches pg_ctl through a shell and becomes
     * part of a Unix socket path.
     *
     * @param base   the base directory
     * @param prefix the name prefix of the server's directory
     * @return problems, empty when fine
     * @since 0.6.0
     */
    public static List<String> checkBaseDirectory(Path base, String prefix) {
        String abs = base.toAbsolutePath().normalize().toString();
        List<String> problems = new java.util.ArrayList<>();
        if (!PLAIN_PATH.matcher(abs).matches()) {
            problems.add("directory " + abs + " may hold only letters, digits and / . _ - (it reaches pg_ctl"
                    + " through a shell)");
        }
        int tag = ServerOwner.current().isPresent() ? ServerOwner.LENGTH : 0;
        if (abs.length() + 1 + prefix.length() + tag + ServerDirectory.RANDOM_LENGTH > MAX_DIRECTORY_LENGTH) {
            problems.add("directory " + abs + " is too long for a Unix socket path; choose a shorter one");
        }
        return problems;
    }

    /**
     * @param option a server option
     * @return whether it is {@code name=value} with plain characters (options reach pg_ctl through a shell)
     * @since 0.6.0
     */
    public static boolean isPlainOption(String option) {
        return PLAIN_OPTION.matcher(option).matches();
    }

    /**
     * Removes the servers that processes killed before they could stop them left in {@code base}: the directories
     * made with {@code prefix} whose maker, named in the directory's name, is gone (no process with its pid and start
     * in this boot and pid namespace; see {@code ServerOwner}). A killed JVM leaves its server running, with a full
     * copy of a database on disk, until someone stops it. Each such server is stopped first (SIGQUIT, then SIGKILL,
     * sent as the server's user to a {@code postgres} of that user whose command line names the directory's data
     * directory), then the directory is removed as {@link #close()} would. Directories of live processes, of other
     * hosts, containers or boots, and of earlier versions (no maker in the name) are left alone. Nothing here throws
     * for one leftover: what cannot be removed is logged and left.
     *
     * @param base   where servers were made ({@link Builder#baseDirectory})
     * @param prefix the prefix they were made with ({@link Builder#prefix})
     * @param osUser the OS user they ran as, when not this process's own
     * @return the directories removed
     * @since 0.6.0
     */
    public static List<Path> sweepLeftovers(Path base, String prefix, Optional<String> osUser) {
        Path abs = base.toAbsolutePath().normalize();
        if (!Files.isDirectory(abs, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        // pids are judged only where they mean something, and where other users' processes are visible (/proc
        // mounted with hidepid makes them look dead); a maker's lock (OwnerLock) is judged everywhere
        Optional<String> here = ServerOwner.startTicks(1).isPresent() ? ServerOwner.here() : Optional.empty();
        // a free lock is taken and held until its directory is gone, so that another sweeper sees it held
        Map<Path, OwnerLock> taken = new java.util.LinkedHashMap<>();
        List<Path> candidates = new java.util.ArrayList<>();
        try {
            try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(abs, prefix + "*")) {
                for (Path entry : entries) {
                    Optional<ServerOwner> owner = ServerOwner.parse(entry.getFileName().toString(), prefix);
                    if (owner.isEmpty() || candidates.size() >= SWEEP_MAX) {
                        continue;
                    }
                    // a held lock says alive, a free one dead; without a telling lock file the pid decides
                    OwnerLock.State state = OwnerLock.judge(entry, lock -> taken.put(entry, lock));
                    if (state == OwnerLock.State.FREE || state == OwnerLock.State.UNKNOWN && here.isPresent()
                            && owner.get().deadSeenFrom(here.get())) {
                        candidates.add(entry);
                    }
                }
            } catch (IOException | java.nio.file.DirectoryIteratorException e) {
                LOG.warn("cannot look for servers left by killed processes in {}: {}", abs, e.toString());
                return List.of();
            }
            // lock files whose directory is gone and whose maker is dead (it died between the two removals)
            try (java.nio.file.DirectoryStream<Path> locks = Files.newDirectoryStream(abs, "." + prefix + "*.lock")) {
                for (Path lock : locks) {
                    String name = lock.getFileName().toString();
                    Path dir = abs.resolve(name.substring(1, name.length() - ".lock".length()));
                    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        OwnerLock.judge(dir, OwnerLock::close); // closing a taken lock removes its file
                    }
                }
            } catch (IOException | java.nio.file.DirectoryIteratorException e) {
                LOG.debug("cannot look for stray lock files in {}: {}", abs, e.toString());
            }
            return candidates.isEmpty() ? List.of() : sweep(abs, candidates, osUser);
        } finally {
            taken.values().forEach(OwnerLock::close);
        }
    }

    /** Stops and removes each candidate, within the sweep's time budget. */
    private static List<Path> sweep(Path abs, List<Path> candidates, Optional<String> osUser) {
        ProcessRunner server = new ProcessRunner(osUser.map(Launcher::asUser).orElseGet(Launcher::local));
        ServerDirectory.Creation how = ServerDirectory.Creation.choose(osUser, isRoot());
        List<Path> removed = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + SWEEP_BUDGET.toNanos();
        for (Path dir : candidates) {
            if (System.nanoTime() - deadline > 0) {
                LOG.warn("sweep of {} stopped after {}: the rest waits for the next drill", abs, SWEEP_BUDGET);
                break;
            }
            try {
                ServerDirectory files;
                try {
                    files = ServerDirectory.adopt(dir, abs, osUser, how, server);
                } catch (PgVaultException e) {
                    if (removeEmptyOwnDirectory(dir)) { // killed between its mkdir and its hand-over
                        removed.add(dir);
                        continue;
                    }
                    throw e;
                }
                Stopped stopped = stopLeftover(dir, server);
                if (!stopped.left().isEmpty()) {
                    LOG.warn("left {} in place: processes of its server's user still work in it after SIGKILL "
                            + "(pids {})", dir, stopped.left());
                    continue;
                }
                files.delete();
                removed.add(dir);
                LOG.warn("removed {}, left by a process that was killed{}", dir, stopped.stopped().isEmpty() ? ""
                        : "; processes still working in it were stopped first (pids " + stopped.stopped() + ")");
            } catch (PgVaultException | IllegalArgumentException e) {
                LOG.warn("cannot remove {}, left by a process that was killed: {}", dir, e.getMessage());
            }
        }
        return removed;
    }

    /** The most leftovers one sweep handles, and the time it may take: a drill must not wait long for it. */
    private static final int SWEEP_MAX = 16;
    private static final Duration SWEEP_BUDGET = Duration.ofMinutes(2);

    /**
     * Run as the server's user, with the tree as {@code $1}: lists that user's processes that work in the tree (their
     * working directory is in it, or an argument names a path in it: a postmaster's {@code -D}, its backends, a
     * {@code pgbackrest restore} into it), sends {@code postgres} processes SIGQUIT (immediate shutdown) and the rest
     * SIGTERM, waits up to 15 s, sends SIGKILL to what is left, and prints {@code stopped} and {@code left} pids.
     * Reading {@code /proc} as the server's user sees its processes even where {@code hidepid} hides them from
     * this one; a pid written by that user (in {@code postmaster.pid}, say) is never used.
     */
    private static final String STOP_SCRIPT = String.join("\n",
            "t=$1; self=$$",
            "pids() {",
            "  for d in /proc/[0-9]*; do",
            "    p=${d#/proc/}; [ \"$p\" = \"$self\" ] && continue; [ -O \"$d\" ] || continue",
            "    c=$(readlink \"$d/cwd\" 2>/dev/null)",
            "    case \"$c\" in \"$t\"|\"$t\"/*) echo \"$p\"; continue;; esac",
            "    if tr '\\000' '\\n' < \"$d/cmdline\" 2>/dev/null | grep -qF -- \"$t/\"; then echo \"$p\"; fi",
            "  done",
            "}",
            "found=$(pids); [ -z \"$found\" ] && exit 0",
            "for p in $found; do",
            "  n=$(tr '\\000' '\\n' < \"/proc/$p/cmdline\" 2>/dev/null | head -n 1)",
            "  case \"${n##*/}\" in postgres*) kill -QUIT \"$p\" 2>/dev/null;; *) kill -TERM \"$p\" 2>/dev/null;; esac",
            "done",
            "i=0; while [ $i -lt 15 ] && [ -n \"$(pids)\" ]; do sleep 1; i=$((i + 1)); done",
            "rest=$(pids); [ -n \"$rest\" ] && kill -KILL $rest 2>/dev/null && sleep 1",
            "echo stopped $found",
            "echo left $(pids)",
            "exit 0");

    /** What {@link #stopLeftover} did: pids stopped, and pids still working in the tree. */
    private record Stopped(List<Long> stopped, List<Long> left) {
    }

    private static Stopped stopLeftover(Path tree, ProcessRunner server) {
        String out = server.run(ToolCommand.builder("sh", "/bin/sh").arg("-c", STOP_SCRIPT, "sh", tree.toString())
                .timeout(Duration.ofSeconds(60)).build()).stdout();
        List<Long> stopped = List.of();
        List<Long> left = List.of();
        for (String line : out.split("\n")) {
            String[] words = line.strip().split("\\s+");
            List<Long> pids = java.util.Arrays.stream(words).skip(1).filter(w -> w.matches("[0-9]{1,10}"))
                    .map(Long::parseLong).toList();
            if (words[0].equals("stopped")) {
                stopped = pids;
            } else if (words[0].equals("left")) {
                left = pids;
            }
        }
        return new Stopped(stopped, left);
    }

    /**
     * @return whether {@code dir} was an empty directory of this process's own (made here, killed before the
     *         hand-over to the server's user) and is removed now; {@code rmdir} follows no link
     */
    private static boolean removeEmptyOwnDirectory(Path dir) {
        try {
            java.nio.file.attribute.PosixFileAttributes a = Files.readAttributes(dir,
                    java.nio.file.attribute.PosixFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory() || !a.owner().getName().equals(System.getProperty("user.name"))) {
                return false;
            }
            Files.delete(dir); // fails on a directory that is not empty
            LOG.warn("removed {}, an empty server directory left by a process killed while making it", dir);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * @return a port of {@value #HOST} that was free a moment ago
     * @since 0.6.0
     */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port on " + HOST, e);
        }
    }

    /**
     * @return the server binaries
     * @since 0.6.0
     */
    public ServerBinaries binaries() {
        return binaries;
    }

    /**
     * @return the OS user the server runs as, when it is not this process's own
     * @since 0.6.0
     */
    public Optional<String> osUser() {
        return osUser;
    }

    /**
     * @return runs tools as the server's OS user (e.g. pgBackRest, which must write files the server can read)
     * @since 0.6.0
     */
    public ProcessRunner serverRunner() {
        return server;
    }

    /**
     * @return the server's private directory: socket and log live here, and the data directory unless adopted
     * @since 0.6.0
     */
    public ServerDirectory files() {
        return files;
    }

    /**
     * @return the directory's path; also the directory of the Unix socket
     * @since 0.6.0
     */
    public Path directory() {
        return files.path();
    }

    /**
     * @return the data directory ({@code PGDATA})
     * @since 0.6.0
     */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /**
     * @return the server log
     * @since 0.6.0
     */
    public Path logFile() {
        return files.path().resolve("postgres.log");
    }

    /**
     * Creates an empty cluster and appends {@code conf} to its postgresql.conf. With a password the superuser
     * authenticates with SCRAM on TCP and on the socket; the password reaches initdb through a 0600 file made by the
     * server's user under an unpredictable name ({@code mktemp}), removed whatever happens. Without one every
     * connection is trusted: only for servers nobody else can reach, such as a test's.
     *
     * @param superuser the superuser role
     * @param password  its password, or empty for {@code trust}
     * @param locale    initdb's {@code --locale}
     * @param conf      postgresql.conf lines
     * @since 0.6.0
     */
    public void initdb(String superuser, Optional<Secret> password, String locale, List<String> conf) {
        ToolCommand.Builder initdb = ToolCommand.builder("initdb", binaries.tool("initdb"))
                .arg("-D", dataDirectory.toString(), "-U", superuser, "-E", "UTF8", "--locale=" + locale, "-k",
                        "--no-sync")
                .workingDirectory(files.workingDirectory())
                .timeout(Duration.ofMinutes(5));
        if (password.isEmpty()) {
            server.run(initdb.arg("--auth=trust").build());
        } else {
            try {
                String pwfile = writePasswordFile(password.get());
                server.run(initdb.arg("--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "--pwfile=" + pwfile)
                        .build());
            } finally { // whatever failed, no password file stays behind
                server.run(ToolCommand.builder("sh", "/bin/sh").arg("-c", "rm -f -- \"$1\"/pwfile.*", "sh",
                        directory().toString()).timeout(Duration.ofMinutes(1)).build());
            }
        }
        appendConf(conf);
    }

    /** @return the file's name; made by the server's own user, exclusively (O_EXCL, 0600), so nothing planted is read */
    private String writePasswordFile(Secret password) {
        ToolCommand write = ToolCommand.builder("sh", "/bin/sh")
                .arg("-c", "umask 077 && f=$(mktemp -- \"$1/pwfile.XXXXXXXXXX\") && cat > \"$f\" && echo \"$f\"",
                        "sh", directory().toString())
                .timeout(Duration.ofMinutes(1)).build();
        String pwfile;
        try (ToolProcess p = server.start(write)) {
            try (OutputStream in = p.stdin()) {
                in.write((password.reveal() + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // sh stopped reading: its exit code says why
            }
            pwfile = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.await();
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "cannot write the server's password file: " + e, e);
        }
        if (!pwfile.startsWith(directory() + "/pwfile.") || pwfile.contains("\n")) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "unexpected password file name from mktemp: " + pwfile);
        }
        return pwfile;
    }

    /**
     * Appends lines to the data directory's postgresql.conf (later lines win).
     *
     * @param lines settings
     * @since 0.6.0
     */
    public void appendConf(List<String> lines) {
        files.append(dataDirectory.resolve("postgresql.conf"), "\n" + String.join("\n", lines) + "\n");
    }

    /**
     * {@code pg_ctl start -w} on a port, listening on {@value #HOST} and a 0700 socket in {@link #directory()} only.
     *
     * @param port          the port
     * @param timeout       how long pg_ctl waits for the server to accept connections
     * @param options       further {@code name=value} server options ({@link #isPlainOption})
     * @param portMayChange whether to report a taken port by returning {@code false} rather than throwing
     * @return {@code true} once the server accepts connections; {@code false} when the port was taken
     * @throws ToolException when the server does not start, quoting the server log
     * @since 0.6.0
     */
    public boolean start(int port, Duration timeout, List<String> options, boolean portMayChange) {
        StringBuilder opts = new StringBuilder("-p " + port + " -c listen_addresses=" + HOST
                + " -c unix_socket_directories='" + directory() + "' -c unix_socket_permissions=0700");
        for (String o : options) {
            if (!isPlainOption(o)) {
                throw new IllegalArgumentException("server option '" + o + "' must be name=value with plain"
                        + " characters");
            }
            opts.append(" -c ").append(o);
        }
        long logOffset = files.size(logFile());
        try {
            pgCtl(timeout.plusSeconds(15), "-l", logFile().toString(), "-w", "-t",
                    Long.toString(Math.max(1, timeout.toSeconds())), "-o", opts.toString(), "start");
            startedPid = pid();
            LOG.debug("PostgreSQL {} started in {} on {}:{}", binaries.version(), directory(), HOST, port);
            return true;
        } catch (ToolException e) {
            String log = logSince(logOffset);
            if (portMayChange && log.contains("Address already in use")) {
                LOG.debug("port {} was taken before the server bound it", port);
                return false;
            }
            throw new ToolException(e.code(), "pg_ctl", e.exitCode().orElse(null), e.stderrTail(),
                    "cannot start PostgreSQL in " + dataDirectory + " on port " + port + ": " + e.getMessage()
                            + "\nserver log:\n" + tail(log, 2000), e);
        }
    }

    /**
     * {@code pg_ctl stop -m fast}, bounded to 30 s; then {@link #stopImmediately()}.
     *
     * @since 0.6.0
     */
    public void stop() {
        try {
            pgCtl(Duration.ofSeconds(45), "-m", "fast", "-w", "-t", "30", "stop");
        } catch (PgVaultException e) {
            LOG.warn("fast shutdown of the server in {} failed ({}); shutting down immediately", directory(),
                    e.getMessage());
            stopImmediately();
        }
    }

    /**
     * {@code pg_ctl stop -m immediate}, then a kill of the postmaster and its children if they are still there. The
     * kill is sent as the server's user through its launcher, and only to a process that is the server's user's and
     * runs these binaries' {@code postgres}: {@code postmaster.pid} is the server user's file, and a pid written
     * there by code the server ran must never make this process (root, say) kill anything else.
     *
     * @since 0.6.0
     */
    public void stopImmediately() {
        OptionalLong pid = pid();
        try {
            pgCtl(Duration.ofSeconds(20), "-m", "immediate", "-w", "-t", "10", "stop");
        } catch (PgVaultException e) {
            LOG.warn("immediate shutdown of the server in {} failed ({}); killing it", directory(), e.getMessage());
        }
        java.util.Set<Long> pids = new java.util.LinkedHashSet<>();
        startedPid.ifPresent(pids::add);
        pid.ifPresent(pids::add);
        pids.forEach(this::kill);
    }

    private void kill(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        if (handle.isEmpty()) {
            return;
        }
        ProcessHandle h = handle.get();
        if (!isOurPostgres(h)) {
            LOG.warn("process {} named by {} is not a postgres of OS user {} (it is {} {}): not killed", pid,
                    dataDirectory.resolve("postmaster.pid"), serverUser(), h.info().user().orElse("?"),
                    h.info().command().orElse("?"));
            return;
        }
        List<String> argv = new java.util.ArrayList<>(List.of("-c", "kill -KILL \"$@\"", "sh",
                Long.toString(pid)));
        h.descendants().forEach(d -> argv.add(Long.toString(d.pid())));
        // as the server's user: whatever the pids have become meanwhile, only its own processes can be hit
        server.run(ToolCommand.builder("kill", "/bin/sh").args(argv).timeout(Duration.ofSeconds(20)).build(), 0, 1);
        h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> h).join();
    }

    /** @return whether the process runs as the server's user and, where this process may see it, our postgres */
    private boolean isOurPostgres(ProcessHandle h) {
        ProcessHandle.Info info = h.info();
        if (!info.user().map(serverUser()::equals).orElse(false)) {
            return false;
        }
        if (info.command().isEmpty()) {
            return true; // another user's executable is hidden without root: the launcher's user bounds the kill
        }
        // the program itself, or, for a build run through its own loader by a wrapper in bin, bin/.elf/postgres
        Path postgres = Path.of(binaries.tool("postgres"));
        return RunningProgram.of(h).map(p -> sameFile(p, postgres)
                || sameFile(p, postgres.resolveSibling(".elf").resolve("postgres"))).orElse(false);
    }

    private static boolean sameFile(Path running, Path installed) {
        try {
            return running.toRealPath().equals(installed.toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    private String serverUser() {
        return osUser.orElseGet(() -> System.getProperty("user.name"));
    }

    /**
     * @return the postmaster's process id from {@code postmaster.pid}, while the server runs
     * @since 0.6.0
     */
    public OptionalLong pid() {
        try {
            return files.firstLine(dataDirectory.resolve("postmaster.pid"))
                    .map(l -> OptionalLong.of(Long.parseLong(l))).orElse(OptionalLong.empty());
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * @param offset where to start, in bytes
     * @return the server log from there (its last 64 KiB at most); a note instead when it cannot be read
     * @since 0.6.0
     */
    public String logSince(long offset) {
        try {
            String log = files.read(logFile(), offset, 64 * 1024);
            return log.isEmpty() && offset == 0 ? "(no server log)" : log;
        } catch (PgVaultException e) {
            return "(cannot read " + logFile() + ": " + e.getMessage() + ")";
        }
    }

    /**
     * @param max the most characters to return
     * @return the end of the server log
     * @since 0.6.0
     */
    public String logTail(int max) {
        return tail(logSince(0), max);
    }

    /**
     * Stops the server if it runs and removes its directory (and an adopted data directory).
     *
     * @throws PgVaultException when something cannot be removed (the server is stopped in any case)
     * @since 0.6.0
     */
    @Override
    public void close() {
        if (pid().isPresent()) {
            stop();
        }
        files.delete();
        if (adopted) {
            files.deleteTree(dataDirectory);
        }
        // only once the directory is gone: one left behind is a sweep's to remove after this process ends
        ownerLock.ifPresent(OwnerLock::close);
    }

    private void pgCtl(Duration timeout, String... args) {
        server.run(ToolCommand.builder("pg_ctl", binaries.tool("pg_ctl"))
                .arg("-D", dataDirectory.toString())
                .arg(args)
                .workingDirectory(files.workingDirectory())
                .timeout(timeout)
                .build());
    }

    private static String tail(String text, int max) {
        return text.length() <= max ? text : "..." + text.substring(text.length() - max);
    }

    @Override
    public String toString() {
        return "PostgreSQL " + binaries.version() + " in " + directory() + osUser.map(u -> " as " + u).orElse("");
    }

    /**
     * Says where and as whom a {@link ThrowawayServer} lives; {@link #create()} makes its directory.
     *
     * @since 0.6.0
     */
    public static final class Builder {
        private final ServerBinaries binaries;
        private Optional<String> osUser = Optional.empty();
        private Path baseDirectory = Path.of(System.getProperty("java.io.tmpdir"));
        private String prefix = "pgvault-pg-";
        private ServerDirectory.Creation creation;
        private Path existingDataDirectory;

        private Builder(ServerBinaries binaries) {
            this.binaries = Objects.requireNonNull(binaries, "binaries");
        }

        /**
         * @param user the OS user the server runs as ({@code runuser} as root, else {@code sudo -n}), or empty for
         *             this process's own; default empty
         * @return this
         * @since 0.6.0
         */
        public Builder osUser(Optional<String> user) {
            this.osUser = Objects.requireNonNull(user, "user");
            return this;
        }

        /**
         * @param dir where the server's directory is made; default {@code java.io.tmpdir}
         * @return this
         * @since 0.6.0
         */
        public Builder baseDirectory(Path dir) {
            this.baseDirectory = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /**
         * @param prefix the start of the directory's name, plain characters; default {@code pgvault-pg-}
         * @return this
         * @since 0.6.0
         */
        public Builder prefix(String prefix) {
            this.prefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /**
         * @param creation who makes the directory; default {@link ServerDirectory.Creation#choose} from the OS user
         *                 and whether this JVM is root
         * @return this
         * @since 0.6.0
         */
        public Builder creation(ServerDirectory.Creation creation) {
            this.creation = Objects.requireNonNull(creation, "creation");
            return this;
        }

        /**
         * @param dataDirectory run the server on this existing data directory (e.g. one restored by pgBackRest, owned
         *                      by the server's user) instead of one initdb makes; it is removed with the server.
         *                      Default none
         * @return this
         * @since 0.6.0
         */
        public Builder existingDataDirectory(Path dataDirectory) {
            this.existingDataDirectory = dataDirectory.toAbsolutePath().normalize();
            return this;
        }

        /**
         * Makes the server's private directory; starts nothing.
         *
         * @return the server
         * @throws io.pgvault.api.ConfigurationException when the base or data directory is not a plain path
         *                                               ({@link #checkBaseDirectory}) or cannot be trusted
         * @throws PgVaultException when the directory cannot be made privately
         * @since 0.6.0
         */
        public ThrowawayServer create() {
            // every caller, not only the drill builder: these paths reach pg_ctl's -o through a shell
            List<String> problems = new java.util.ArrayList<>(checkBaseDirectory(baseDirectory, prefix));
            if (existingDataDirectory != null && !PLAIN_PATH.matcher(existingDataDirectory.toString()).matches()) {
                problems.add("data directory " + existingDataDirectory + " may hold only letters, digits and / . _ -"
                        + " (it reaches pg_ctl through a shell)");
            }
            io.pgvault.api.ConfigurationException.throwIfAny(problems);
            ProcessRunner server = new ProcessRunner(osUser.map(Launcher::asUser).orElseGet(Launcher::local));
            ServerDirectory.Creation how = creation != null ? creation
                    : ServerDirectory.Creation.choose(osUser, isRoot());
            // the name says which process made it, so that one left by a killed process can be told and removed
            ServerDirectory files = ServerDirectory.create(baseDirectory, prefix
                    + ServerOwner.current().map(ServerOwner::tag).orElse(""), osUser, how, server);
            if (files.path().toString().length() > MAX_DIRECTORY_LENGTH) {
                files.delete();
                throw new io.pgvault.api.ConfigurationException("server directory " + files.path() + " is too long"
                        + " for a Unix socket path (" + MAX_DIRECTORY_LENGTH + " characters at most): choose a"
                        + " shorter base directory");
            }
            return new ThrowawayServer(this, server, files, OwnerLock.hold(files.path()));
        }
    }
}
