package io.pgvault.backend.pgdump;

import io.pgvault.spi.ObjectKeys;

import java.nio.charset.StandardCharsets;

/**
 * Names of the objects of a pg_dump set. Database names may hold any character but NUL, so they are encoded into
 * a repository-safe segment: ASCII letters, digits, {@code _} and {@code -} stay as they are, every other byte of the
 * UTF-8 form becomes {@code =XX} (upper-case hex). The real name is recorded in the object's attributes; the encoding
 * only has to be injective and safe, never decoded.
 */
final class ObjectNames {
    /** The object holding {@code pg_dumpall --globals-only}. */
    static final String GLOBALS = "globals.sql";

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private ObjectNames() {
    }

    /**
     * @param database a database name
     * @return a safe key segment, distinct for distinct names
     */
    static String encode(String database) {
        StringBuilder b = new StringBuilder();
        byte[] bytes = database.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int c = bytes[i] & 0xff;
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
                    || c == '-';
            // "globals" would make the plain dump of a database of that name collide with globals.sql
            if (plain && !(i == 0 && database.equals("globals"))) {
                b.append((char) c);
            } else {
                b.append('=').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return b.toString();
    }

    /**
     * @param database a database name
     * @param format   the dump format
     * @return the object name of its dump ({@code app.sql}, {@code app.dump}) or, for the directory format, the
     *         prefix of its files ({@code app.dir})
     */
    static String dump(String database, DumpFormat format) {
        return ObjectKeys.validate(encode(database) + format.suffix());
    }

    /**
     * @param database a database name
     * @param file     a file pg_dump wrote into its directory-format output
     * @return the object name {@code <db>.dir/<file>}
     */
    static String directoryFile(String database, String file) {
        return ObjectKeys.validate(dump(database, DumpFormat.DIRECTORY) + "/" + file);
    }
}
