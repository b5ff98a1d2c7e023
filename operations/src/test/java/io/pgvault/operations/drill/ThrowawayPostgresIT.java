package io.pgvault.operations.drill;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The drill's server is private: nobody but the drill can connect, not another local user, not a process in the same
 * network namespace, not over the socket; and nothing it leaves on disk is world-writable.
 */
class ThrowawayPostgresIT {
    @TempDir
    Path work;

    @Test
    @DisplayName("a connection without the drill's random password is refused on TCP and on the socket; the drill's "
            + "own connection works; no file or directory is world-writable and no password file is left")
    void privateServer() throws Exception {
        // the server's user must reach its directory through the work directory
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Optional<String> user = ThrowawayPostgres.isRoot() ? Optional.of(ThrowawayPostgres.SUPERUSER) : Optional.empty();
        try (ThrowawayPostgres pg = ThrowawayPostgres.create(PostgresBinaries.locate(Optional.empty()), user, work)) {
            pg.initdb("C.UTF-8", List.of());
            pg.start(List.of(), Duration.ofSeconds(60));
            try (Connection c = pg.jdbc("postgres"); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT 1")) {
                assertThat(rs.next()).isTrue();
            }
            String psql = pg.binaries().tool("psql");
            for (String host : List.of(ThrowawayPostgres.HOST, pg.directory().toString())) {
                Result r = run(List.of(psql, "-X", "-w", "-h", host, "-p", Integer.toString(pg.port()), "-U",
                        ThrowawayPostgres.SUPERUSER, "-d", "postgres", "-c", "SELECT 1"));
                assertThat(r.exit()).as(r.output()).isNotZero();
                assertThat(r.output()).containsAnyOf("password authentication failed", "no password supplied",
                        "Permission denied");
            }
            try (Stream<Path> files = Files.walk(pg.directory())) {
                List<Path> open = new ArrayList<>();
                for (Path p : files.toList()) {
                    if (!Files.isSymbolicLink(p) && Files.getPosixFilePermissions(p)
                            .contains(PosixFilePermission.OTHERS_WRITE) && !p.getFileName().toString()
                            .startsWith(".s.PGSQL")) {
                        open.add(p);
                    }
                }
                assertThat(open).isEmpty();
            }
            try (Stream<Path> files = Files.list(pg.directory())) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("pwfile"));
            }
        }
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> argv) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().remove("PGPASSWORD");
        pb.environment().put("PGPASSFILE", "/dev/null");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return new Result(p.exitValue(), out);
    }
}
