package io.pgvault.spi.process;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.Secret;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One invocation of an external tool: an argument list (never a shell string), environment, secrets passed only
 * through the environment, a working directory and a time limit. {@code toString()} shows no secret.
 *
 * @param tool        short name for messages and logs, e.g. {@code pg_dump}
 * @param executable  program to run: an absolute path, or a name resolved on {@code PATH}
 * @param args        arguments, never containing a secret
 * @param env         extra non-secret environment variables
 * @param secretEnv   environment variables holding secrets (never logged; redacted from output)
 * @param workingDirectory working directory, if not inherited
 * @param timeout     time limit; the process tree is killed when it is exceeded
 * @since 0.1.0
 */
public record ToolCommand(String tool, String executable, List<String> args, Map<String, String> env,
        Map<String, Secret> secretEnv, Optional<Path> workingDirectory, Duration timeout) {

    /** Validates the components; copies collections and replaces null optionals with empty ones. */
    public ToolCommand {
        Objects.requireNonNull(tool, "tool");
        Objects.requireNonNull(executable, "executable");
        args = List.copyOf(args);
        env = Map.copyOf(env);
        secretEnv = Map.copyOf(secretEnv);
        workingDirectory = workingDirectory == null ? Optional.empty() : workingDirectory;
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new ConfigurationException("timeout of " + tool + " must be positive");
        }
        for (String name : secretEnv.keySet()) {
            if (env.containsKey(name)) {
                throw new ConfigurationException("environment variable " + name + " set as both secret and plain");
            }
        }
        for (Secret s : secretEnv.values()) {
            for (String a : args) {
                if (a.contains(s.reveal())) {
                    throw new ConfigurationException("a secret of " + tool + " appears in its argument list");
                }
            }
        }
    }

    /**
     * @param tool       short name
     * @param executable program to run
     * @return a builder with a one-hour timeout
     */
    public static Builder builder(String tool, String executable) {
        return new Builder(tool, executable);
    }

    /** @return the names of every environment variable this command sets */
    public Set<String> envNames() {
        Set<String> names = new java.util.TreeSet<>(env.keySet());
        names.addAll(secretEnv.keySet());
        return names;
    }

    @Override
    public String toString() {
        return tool + " " + executable + " " + args + (secretEnv.isEmpty() ? "" : " secretEnv=" + secretEnv.keySet());
    }

    /** Builds a {@link ToolCommand}. */
    public static final class Builder {
        private final String tool;
        private final String executable;
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private final Map<String, Secret> secretEnv = new LinkedHashMap<>();
        private Path workingDirectory;
        private Duration timeout = Duration.ofHours(1);

        private Builder(String tool, String executable) {
            this.tool = tool;
            this.executable = executable;
        }

        /** @param arg arguments to append @return this */
        public Builder arg(String... arg) {
            args.addAll(List.of(arg));
            return this;
        }

        /** @param more arguments to append @return this */
        public Builder args(List<String> more) {
            args.addAll(more);
            return this;
        }

        /** @param name variable @param value value (not secret) @return this */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** @param name variable @param value secret value @return this */
        public Builder secretEnv(String name, Secret value) {
            secretEnv.put(name, value);
            return this;
        }

        /** @param dir working directory @return this */
        public Builder workingDirectory(Path dir) {
            this.workingDirectory = dir;
            return this;
        }

        /** @param timeout time limit; default one hour @return this */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** @return the command */
        public ToolCommand build() {
            return new ToolCommand(tool, executable, args, env, secretEnv, Optional.ofNullable(workingDirectory),
                    timeout);
        }
    }
}
