package io.pgvault.spi.process;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.PgVaultException;
import io.pgvault.api.ToolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Runs every external tool pgvault uses: argument lists through a {@link Launcher}, secrets only in the child's
 * environment, stderr drained concurrently and redacted, a time limit that kills the whole process tree, and exit
 * codes mapped to {@link ToolException}.
 *
 * @since 0.1.0
 */
public final class ProcessRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessRunner.class);
    private static final int MAX_CAPTURED_STDOUT = 64 * 1024 * 1024;

    private final Launcher launcher;

    /** @param launcher where and as whom tools run */
    public ProcessRunner(Launcher launcher) {
        this.launcher = Objects.requireNonNull(launcher, "launcher");
    }

    /** @return a runner that starts tools as this process's user */
    public static ProcessRunner local() {
        return new ProcessRunner(Launcher.local());
    }

    /** @return the launcher */
    public Launcher launcher() {
        return launcher;
    }

    /**
     * Starts a tool whose streams the caller drives. The caller must drain {@link ToolProcess#stdout()} (or close it)
     * and call {@link ToolProcess#await()}; {@link ToolProcess#close()} kills it if anything went wrong.
     *
     * @param command           what to run
     * @param acceptedExitCodes exit codes that count as success (default {@code 0})
     * @return the running tool
     * @throws ToolException when it cannot be started (TOOL_MISSING)
     */
    public ToolProcess start(ToolCommand command, int... acceptedExitCodes) {
        return start(command, null, acceptedExitCodes);
    }

    /**
     * Starts a tool whose streams the caller drives, as {@link #start(ToolCommand, int...)}, with a listener that
     * sees each line of its standard error as it arrives (for progress the tool reports there).
     *
     * @param command           what to run
     * @param stderrListener    sees every stderr line first, on the draining thread; {@code null} for none
     * @param acceptedExitCodes exit codes that count as success (default {@code 0})
     * @return the running tool
     * @throws ToolException when it cannot be started (TOOL_MISSING)
     * @since 0.4.0
     */
    public ToolProcess start(ToolCommand command, StderrListener stderrListener, int... acceptedExitCodes) {
        List<String> cmd = new ArrayList<>();
        cmd.add(command.executable());
        cmd.addAll(command.args());
        List<String> argv = launcher.wrap(cmd, command.envNames(), command.timeout());
        Redactor redactor = new Redactor(command.secretEnv().values());
        ProcessBuilder pb = new ProcessBuilder(argv);
        Map<String, String> env = pb.environment();
        // a tool inherits nothing secret from this process: only what its command hands it
        Set<String> readAsSecrets = io.pgvault.api.Secret.environmentNames();
        env.keySet().removeIf(n -> readAsSecrets.contains(n) || secretName(n));
        env.putAll(command.env());
        command.secretEnv().forEach((k, v) -> env.put(k, v.reveal()));
        command.workingDirectory().ifPresent(d -> pb.directory(d.toFile()));
        LOG.debug("starting {} ({}): {}", command.tool(), launcher.describe(), redactor.redact(String.join(" ", argv)));
        try {
            Process p = pb.start();
            return new ToolProcess(command, p, redactor, acceptedExitCodes.length == 0 ? new int[] {0}
                    : acceptedExitCodes.clone(), !argv.get(0).equals(command.executable()), stderrListener);
        } catch (IOException e) {
            throw new ToolException(ErrorCode.TOOL_MISSING, command.tool(), null, "",
                    "cannot start " + command.tool() + " (" + argv.get(0) + "): " + redactor.redact(e.getMessage())
                            + "; is it installed and on PATH?", null);
        }
    }

    /**
     * Runs a tool to completion with no input, capturing its standard output (up to 64 MiB).
     *
     * @param command           what to run
     * @param acceptedExitCodes exit codes that count as success (default {@code 0})
     * @return the result, with {@code stdout}
     * @throws ToolException when it fails, times out or cannot start
     */
    public ToolResult run(ToolCommand command, int... acceptedExitCodes) {
        try (ToolProcess p = start(command, acceptedExitCodes)) {
            p.stdin().close();
            String out = readCapped(p.stdout(), command.tool());
            ToolResult r = p.await();
            return new ToolResult(r.tool(), r.exitCode(), p.redact(out), r.stderrTail(), r.duration());
        } catch (IOException e) {
            throw new PgVaultException(ErrorCode.TOOL_FAILED, "I/O with " + command.tool() + " failed: " + e, e);
        }
    }

    /**
     * Whether an inherited environment variable's name says it holds a secret: libpq's {@code PGPASSWORD}, or a name
     * that says so (password, passphrase, secret, token, cipher pass, credentials, integrity/encryption/age keys,
     * identities, database URLs and DSNs, which carry passwords). Such variables, and those this process read with
     * {@link io.pgvault.api.Secret#fromEnv}, are removed from every tool's environment; a command that needs one sets
     * it itself.
     *
     * @param name an environment variable's name
     * @return whether tools must not inherit it
     */
    static boolean secretName(String name) {
        String n = name.toUpperCase(java.util.Locale.ROOT);
        return n.equals("PGPASSWORD") || n.contains("PASSWORD") || n.contains("PASSPHRASE") || n.contains("SECRET")
                || n.endsWith("_TOKEN") || n.contains("CIPHER_PASS") || n.contains("CREDENTIALS")
                || n.endsWith("_API_KEY") || n.endsWith("_PRIVATE_KEY") || n.endsWith("INTEGRITY_KEY")
                || n.endsWith("ENCRYPTION_KEY") || n.endsWith("AGE_KEY") || n.endsWith("_IDENTITY")
                || n.endsWith("DATABASE_URL") || n.endsWith("_DSN");
    }

    private static String readCapped(InputStream in, String tool) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        int n;
        while ((n = in.read(chunk)) >= 0) {
            if (buf.size() + n > MAX_CAPTURED_STDOUT) {
                throw new IOException(tool + " printed more than " + MAX_CAPTURED_STDOUT + " bytes");
            }
            buf.write(chunk, 0, n);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "ProcessRunner[" + launcher.describe() + "]";
    }
}
