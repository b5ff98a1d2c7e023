package io.pgvault.operations.health;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** WAL file names: 8 hex digits of timeline, then the segment number as two 8-hex-digit halves. */
final class WalNames {
    private static final Pattern SEGMENT = Pattern.compile("^([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})");

    private WalNames() {
    }

    /**
     * @param name        a WAL file name as {@code pg_stat_archiver} shows it (may carry {@code .partial} or
     *                    {@code .backup} suffixes; {@code .history} files have no segment)
     * @param segmentSize {@code wal_segment_size} in bytes
     * @return the segment number, if the name holds one
     */
    static Optional<Long> segmentNumber(String name, long segmentSize) {
        Matcher m = SEGMENT.matcher(name);
        if (!m.find()) {
            return Optional.empty();
        }
        long segmentsPerId = 0x1_0000_0000L / segmentSize;
        return Optional.of(Long.parseLong(m.group(2), 16) * segmentsPerId + Long.parseLong(m.group(3), 16));
    }
}
