package io.pgvault.spi.process;

import io.pgvault.api.ConfigurationException;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where and as whom a tool runs: locally, as another OS user, inside a container, or over SSH. A launcher only
 * rewrites the argument list; secrets still travel in the environment, never on it. Where killing the local client
 * does not stop the tool (ssh, docker exec), the launcher also bounds it on the other side
 * ({@link #wrap(List, Set, java.time.Duration)}).
 *
 * @since 0.1.0
 */
public interface Launcher {

    /**
     * @param command  the tool's executable and arguments
     * @param envNames the names of the environment variables the tool needs (their values stay in the environment)
     * @return the argument list to execute locally
     */
    List<String> wrap(List<String> command, Set<String> envNames);

    /**
     * Wraps a command that must not outlive {@code timeout}. Launchers whose tool runs where killing the local client
     * does not reach it (ssh, docker exec) enforce the limit on the other side as well, with {@code timeout -k 10};
     * the others ignore it (the runner kills their local process tree).
     *
     * @param command  the tool's executable and arguments
     * @param envNames the names of the environment variables the tool needs
     * @param timeout  the command's time limit
     * @return the argument list to execute locally
     * @since 0.4.0
     */
    default List<String> wrap(List<String> command, Set<String> envNames, java.time.Duration timeout) {
        return wrap(command, envNames);
    }

    /**
     * @param command the tool's executable and arguments
     * @param timeout its time limit
     * @return {@code timeout -k 10 SECONDS command...}: the tool is sent TERM five seconds after the limit passes and
     *         KILL ten seconds later, by a process running beside it (GNU coreutils and busybox both take this form)
     * @since 0.4.0
     */
    static List<String> remoteTimeout(List<String> command, java.time.Duration timeout) {
        // five seconds after the local limit: the local watchdog reports the timeout, the far side only cleans up
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000) + 5;
        List<String> out = new ArrayList<>(List.of("timeout", "-k", "10", Long.toString(seconds)));
        out.addAll(command);
        return out;
    }

    /** @return a secret-free description, e.g. {@code as user postgres} */
    String describe();

    /** @return run the tool as this process's own user */
    static Launcher local() {
        return new Launcher() {
            @Override
            public List<String> wrap(List<String> command, Set<String> envNames) {
                return List.copyOf(command);
            }

            @Override
            public String describe() {
                return "local";
            }
        };
    }

    /**
     * Runs the tool as another OS user: {@code runuser -u USER --} when this process is root (runuser keeps the
     * environment), otherwise {@code sudo -n --preserve-env=NAMES -u USER --}.
     *
     * @param user OS user, e.g. {@code postgres}
     * @return the launcher
     */
    static Launcher asUser(String user) {
        requireName(user, "OS user");
        boolean root = "root".equals(System.getProperty("user.name"));
        return root ? runuser(user) : sudo(user);
    }

    /**
     * @param user OS user
     * @return {@code runuser -u USER --} (needs root)
     */
    static Launcher runuser(String user) {
        requireName(user, "OS user");
        return new Launcher() {
            @Override
            public List<String> wrap(List<String> command, Set<String> envNames) {
                List<String> out = new ArrayList<>(List.of("runuser", "-u", user, "--"));
                out.addAll(command);
                return out;
            }

            @Override
            public String describe() {
                return "as user " + user + " (runuser)";
            }
        };
    }

    /**
     * @param user OS user
     * @return {@code sudo -n --preserve-env=NAMES -u USER --}
     */
    static Launcher sudo(String user) {
        requireName(user, "OS user");
        return new Launcher() {
            @Override
            public List<String> wrap(List<String> command, Set<String> envNames) {
                List<String> out = new ArrayList<>(List.of("sudo", "-n"));
                if (!envNames.isEmpty()) {
                    out.add("--preserve-env=" + String.join(",", envNames));
                }
                out.addAll(List.of("-u", user, "--"));
                out.addAll(command);
                return out;
            }

            @Override
            public String describe() {
                return "as user " + user + " (sudo)";
            }
        };
    }

    /**
     * Runs the tool in a running container: {@code docker exec -i -u USER -e NAME... CONTAINER}. {@code -e NAME}
     * without a value makes docker copy the variable from its own environment, so values stay off argv.
     *
     * @param container container name or id
     * @param user      user inside the container
     * @return the launcher
     */
    static Launcher dockerExec(String container, String user) {
        requireName(container, "container");
        requireName(user, "container user");
        return new Launcher() {
            @Override
            public List<String> wrap(List<String> command, Set<String> envNames, java.time.Duration timeout) {
                return wrap(remoteTimeout(command, timeout), envNames);
            }

            @Override
            public List<String> wrap(List<String> command, Set<String> envNames) {
                List<String> out = new ArrayList<>(List.of("docker", "exec", "-i", "-u", user));
                for (String name : envNames) {
                    out.add("-e");
                    out.add(name);
                }
                out.add(container);
                out.addAll(command);
                return out;
            }

            @Override
            public String describe() {
                return "in container " + container + " as " + user;
            }
        };
    }

    /**
     * Runs the tool on another host: {@code ssh -o BatchMode=yes -o SendEnv=NAME... HOST -- 'quoted command'}. The
     * remote sshd must accept the variables ({@code AcceptEnv}); values never appear on either argv.
     *
     * @param destination {@code user@host}
     * @return the launcher
     */
    static Launcher ssh(String destination) {
        requireName(destination, "ssh destination");
        return new Launcher() {
            @Override
            public List<String> wrap(List<String> command, Set<String> envNames, java.time.Duration timeout) {
                return wrap(remoteTimeout(command, timeout), envNames);
            }

            @Override
            public List<String> wrap(List<String> command, Set<String> envNames) {
                List<String> out = new ArrayList<>(List.of("ssh", "-o", "BatchMode=yes"));
                for (String name : envNames) {
                    out.add("-o");
                    out.add("SendEnv=" + name);
                }
                out.add(destination);
                out.add("--");
                out.add(String.join(" ", command.stream().map(Launcher::shellQuote).toList()));
                return out;
            }

            @Override
            public String describe() {
                return "over ssh to " + destination;
            }
        };
    }

    /**
     * @param arg an argument
     * @return it quoted for a POSIX shell
     */
    static String shellQuote(String arg) {
        if (!arg.isEmpty() && Pattern.matches("[A-Za-z0-9_@%+=:,./-]+", arg)) {
            return arg;
        }
        return "'" + arg.replace("'", "'\"'\"'") + "'";
    }

    private static void requireName(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isBlank() || value.startsWith("-") || value.chars().anyMatch(Character::isWhitespace)) {
            throw new ConfigurationException("invalid " + what + ": '" + value + "'");
        }
    }
}
