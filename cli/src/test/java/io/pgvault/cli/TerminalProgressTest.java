package io.pgvault.cli;

import io.pgvault.api.BackupId;
import io.pgvault.api.event.Events;
import io.pgvault.api.event.Phase;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class TerminalProgressTest {
    @Test
    @DisplayName("the progress line gives bytes, rate and, from the last set's size, the time left")
    void line() {
        assertThat(TerminalProgress.line("backup", "20261206T070000Z-abcdef", 100L << 20, 10 << 20,
                OptionalLong.of(400L << 20))).isEqualTo("backup 20261206T070000Z-abcdef: 100.0 MiB at 10.0 MiB/s, "
                        + "about 0:30 left (the last set stored 400.0 MiB)");
        assertThat(TerminalProgress.line("backup", "x", 500L << 20, 10 << 20, OptionalLong.of(400L << 20)))
                .as("past the estimate: no time left claimed").isEqualTo("backup x: 500.0 MiB at 10.0 MiB/s");
        assertThat(TerminalProgress.line("copy", "x", 1, 0, OptionalLong.empty())).isEqualTo("copy x: 1 B at 0 B/s");
    }

    @Test
    @DisplayName("on a terminal the line is redrawn in place and cleared when the work ends")
    void redraws() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        TerminalProgress p = new TerminalProgress(new PrintStream(buf, true, StandardCharsets.UTF_8));
        BackupId id = BackupId.of("20261206T070000Z-abcdef");
        p.on(new Events.Progress(Instant.now(), "local:/r", id, Phase.BACKUP, 2048, Duration.ofSeconds(1), 2048));
        p.on(new Events.Progress(Instant.now(), "local:/r", id, Phase.BACKUP, 4096, Duration.ofSeconds(2), 2048));
        p.on(new Events.BackupFailed(Instant.now(), "local:/r", id, "pgdump", new IllegalStateException("boom")));
        String out = buf.toString(StandardCharsets.UTF_8);
        assertThat(out).startsWith("\rbackup " + id.value() + ": 2.0 KiB").contains("\rbackup " + id.value()
                + ": 4.0 KiB").endsWith("\r" + (char) 27 + "[K");
    }
}
