package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.ToolException;
import io.pgvault.spi.process.ProcessRunner;
import io.pgvault.spi.process.ToolCommand;
import io.pgvault.spi.process.ToolResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs {@code pgbackrest} commands for one stanza: {@code --config}, {@code --config-include-path} and
 * {@code --stanza} always given (so {@code /etc/pgbackrest} is never read), secrets in the environment only, and
 * failures mapped to {@link PgBackRestException}.
 */
final class Cli {
    /** What pgBackRest's {@code web-id} S3 key type reads from its environment. */
    static final List<String> WEB_IDENTITY_ENV = List.of("AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE");

    private final PgBackRestConfig config;
    private final ProcessRunner runner;

    Cli(PgBackRestConfig config, ProcessRunner runner) {
        this.config = config;
        this.runner = runner;
    }

    /** The options every stanza command starts with. */
    List<String> baseOptions() {
        return List.of("--config=" + config.configFile(), "--config-include-path=" + config.includeDirectory(),
                "--stanza=" + config.stanza());
    }

    ToolResult run(String command, List<String> options, Duration timeout) {
        return execute(command(command, options, timeout), command);
    }

    /** @return the invocation: base options, then {@code options}, then the command; secrets in the environment */
    ToolCommand command(String command, List<String> options, Duration timeout) {
        List<String> args = new ArrayList<>(baseOptions());
        args.addAll(options);
        args.add(command);
        ToolCommand.Builder b = ToolCommand.builder("pgbackrest", config.executable()).args(args).timeout(timeout);
        ConfigRenderer.secretEnvironment(config).forEach(b::secretEnv);
        if (config.repos().stream().flatMap(r -> r.s3().stream())
                .anyMatch(s3 -> s3.keyType() == PgBackRestRepo.S3KeyType.WEB_ID)) {
            // named, so that a launcher (sudo, ssh, docker) hands them on
            WEB_IDENTITY_ENV.forEach(n -> Optional.ofNullable(System.getenv(n)).ifPresent(v -> b.env(n, v)));
        }
        return b.build();
    }

    /** Runs without config or stanza, e.g. {@code version}. */
    ToolResult runBare(String command, Duration timeout) {
        return execute(ToolCommand.builder("pgbackrest", config.executable()).arg(command).timeout(timeout).build(),
                command);
    }

    private ToolResult execute(ToolCommand cmd, String command) {
        try {
            return runner.run(cmd);
        } catch (ToolException e) {
            if (ErrorMapper.programMissing(e)) {
                throw new ToolException(ErrorCode.TOOL_MISSING, "pgbackrest", e.exitCode().orElse(null),
                        e.stderrTail(), "pgBackRest is not installed or not executable (" + config.executable() + ", "
                                + runner.launcher().describe() + "): install it (apt-get install -y pgbackrest) or set "
                                + "PgBackRestConfig.Builder#executable; " + e.getMessage(), e);
            }
            throw ErrorMapper.map(e, command, config.stanza(),
                    config.repos().stream().anyMatch(r -> r.cipherPass().isPresent()));
        }
    }

    ProcessRunner runner() {
        return runner;
    }
}
