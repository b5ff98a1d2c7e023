package io.pgvault.operations.drill;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A drill's JVM to be killed: makes and starts a throwaway server in the work directory given as its argument, says
 * {@code READY <directory> <port>} on standard output, and waits to be killed (never stopping the server).
 */
final class LeftoverServerChild {
    private LeftoverServerChild() {
    }

    public static void main(String[] args) throws Exception {
        Optional<String> user = ThrowawayPostgres.isRoot() ? Optional.of(ThrowawayPostgres.SUPERUSER)
                : Optional.empty();
        ThrowawayPostgres pg = ThrowawayPostgres.create(PostgresBinaries.locate(Optional.empty()), user,
                Path.of(args[0]));
        pg.initdb("C.UTF-8", List.of());
        pg.start(List.of(), Duration.ofSeconds(60));
        System.out.println("READY " + pg.directory() + " " + pg.port());
        System.out.flush();
        Thread.sleep(Duration.ofMinutes(10).toMillis());
    }
}
