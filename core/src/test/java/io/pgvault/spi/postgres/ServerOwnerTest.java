package io.pgvault.spi.postgres;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ServerOwnerTest {
    private static final String PREFIX = "pgvault-drill-";

    @Test
    @DisplayName("this process's tag is fixed-width, reads back from a directory name, and is judged alive")
    void roundTrip() {
        assumeTrue(ServerOwner.current().isPresent(), "no /proc boot id or pid namespace here");
        ServerOwner me = ServerOwner.current().get();
        assertThat(me.tag()).hasSize(ServerOwner.LENGTH).matches("[0-9a-z]{18}-");
        assertThat(ServerOwner.parse(PREFIX + me.tag() + "k3j9x0q1ab", PREFIX)).contains(me);
        assertThat(me.deadSeenFrom(ServerOwner.here().orElseThrow())).isFalse();
    }

    @Test
    @DisplayName("a maker that exited is dead; one whose pid now belongs to a process started at another time is "
            + "dead; one from another boot or pid namespace is never judged")
    void deadness() throws Exception {
        assumeTrue(ServerOwner.here().isPresent(), "no /proc boot id or pid namespace here");
        String here = ServerOwner.here().get();
        Process p = new ProcessBuilder("sleep", "30").start();
        long start = ServerOwner.startTicks(p.pid()).orElseThrow();
        ServerOwner child = new ServerOwner(here, p.pid(), start);
        assertThat(child.deadSeenFrom(here)).isFalse();
        assertThat(new ServerOwner(here, p.pid(), start - 1).deadSeenFrom(here)).as("pid reused").isTrue();
        p.destroyForcibly();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(child.deadSeenFrom(here)).isTrue();
        String other = here.equals("000000") ? "000001" : "000000";
        assertThat(new ServerOwner(other, p.pid(), start).deadSeenFrom(here)).as("another boot or namespace")
                .isFalse();
    }

    @Test
    @DisplayName("names without a maker (earlier versions, mktemp's, other prefixes) parse to nothing")
    void foreignNames() {
        assertThat(ServerOwner.parse("pgvault-drill-1234567890123456789", PREFIX)).isEmpty();
        assertThat(ServerOwner.parse("pgvault-drill-AbCdEfGhIj", PREFIX)).isEmpty();
        assertThat(ServerOwner.parse("pgvault-pg-abcdef00001000000a-x", PREFIX)).isEmpty();
        assertThat(ServerOwner.parse("pgvault-drill-abcdef00001000000a-x", PREFIX))
                .contains(new ServerOwner("abcdef", 1, 10));
    }
}
