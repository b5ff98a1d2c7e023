package io.pgvault.examples;

import java.time.Duration;
import java.util.Locale;

/** Sizes and durations as people read them in the examples' reports. */
final class Units {
    private Units() {
    }

    /** @return e.g. {@code 512 B}, {@code 11.3 MiB}, {@code 1.42 GiB} */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024L * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        if (n < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.2f GiB", n / (1024.0 * 1024 * 1024));
    }

    /** @return e.g. {@code 0.84 s} */
    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.2f s", d.toNanos() / 1e9);
    }

    /** @return e.g. {@code 5.86:1}, or {@code n/a} when nothing was stored */
    static String ratio(long logical, long stored) {
        return stored == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f:1", (double) logical / stored);
    }

    /** @return e.g. {@code 16,203} */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
