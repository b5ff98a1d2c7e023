package io.pgvault.testkit;

import io.pgvault.api.Secret;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code age} CLI as an operator would at a terminal: age reads passphrases from the terminal only, so this
 * drives it through a pseudo-terminal (Python's {@code pty}) and types the passphrase at each prompt. The passphrase
 * reaches the driver through its environment, never its argument list.
 */
public final class AgeTerminal {
    private static final String DRIVER = """
            import os, pty, select, sys
            passphrase = os.environ[sys.argv[1]].encode() + b"\\n"
            pid, fd = pty.fork()
            if pid == 0:
                os.execvp(sys.argv[2], sys.argv[2:])
            pending = b""
            while True:
                ready, _, _ = select.select([fd], [], [], 120)
                if not ready:
                    break
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    break
                if not data:
                    break
                pending += data
                # only age's own prompts ("Enter passphrase...:", "Confirm passphrase:"), never its error text
                while True:
                    at = [i for i in (pending.find(b"Enter passphrase"), pending.find(b"Confirm passphrase")) if i >= 0]
                    if not at or b":" not in pending[min(at):]:
                        break
                    os.write(fd, passphrase)
                    rest = pending[min(at):]
                    pending = rest[rest.index(b":") + 1:]
            # the terminal echoes what was typed: never print the passphrase
            sys.stderr.write(pending.replace(passphrase.strip(), b"***").decode(errors="replace"))
            _, status = os.waitpid(pid, 0)
            sys.exit(os.waitstatus_to_exitcode(status))
            """;

    private AgeTerminal() {
    }

    /**
     * Runs {@code command} (e.g. {@code age -d -o key.txt set-key.age}) on a terminal, typing {@code passphrase} at
     * every prompt.
     *
     * @param work       a private directory for the driver script
     * @param passphrase what to type
     * @param command    the command line
     * @throws AssertionError when the command fails, with its terminal output
     */
    public static void run(Path work, Secret passphrase, String... command) {
        try {
            Path driver = Files.writeString(work.resolve("age_pty_driver.py"), DRIVER);
            List<String> argv = new ArrayList<>(List.of("python3", driver.toString(), "AGE_TERMINAL_PASSPHRASE"));
            argv.addAll(List.of(command));
            ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            builder.environment().put("AGE_TERMINAL_PASSPHRASE", passphrase.reveal());
            Process process = builder.start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(List.of(command) + " timed out");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(List.of(command) + " exited with " + process.exitValue() + ": "
                        + new String(output, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
