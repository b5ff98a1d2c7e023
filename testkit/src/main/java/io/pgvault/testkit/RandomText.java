package io.pgvault.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Builds {@link DemoDatabase#randomText(int)}: rows that look like text (words, tokens, numbers) but repeat little,
 * so they compress about as well as real data does.
 */
final class RandomText {
    /** Measured on PostgreSQL 15: rows take some 210 bytes of heap each. */
    static final long ROWS_PER_MIB = 4980;
    /** Fixed, so that the content does not depend on how many sessions build it. */
    static final int PARTS = 8;

    private static final List<String> WORDS = List.of(("the of and to in is that for it as was with be by on not he "
            + "this are or his from at which but have an they you were her she there been one all we their has would "
            + "when if so no will more out up into do any your what some can only other time new could very than "
            + "about people my made first also after years way may most over like did many such where know these two "
            + "just before those must back through much good us should even state well work still use great down "
            + "right make own say being life here another same little while both between world every without day "
            + "under too might long again never house part against place high because old since around each men "
            + "order customer invoice payment shipped warehouse delivery refund account balance street city river "
            + "morning evening winter summer garden window kitchen letter number question answer problem system "
            + "program report market price value table chair paper water light music money friend family school").split(" "));

    private RandomText() {
    }

    static DemoDatabase of(int megabytes) {
        long rows = megabytes * ROWS_PER_MIB;
        String setup = "CREATE TABLE " + DemoDatabase.RANDOM_TEXT_TABLE + " (id bigint NOT NULL, body text NOT NULL);\n";
        List<String> parts = new ArrayList<>();
        long per = (rows + PARTS - 1) / PARTS;
        for (int k = 0; k < PARTS; k++) {
            long from = k * per + 1;
            long to = Math.min(rows, (k + 1) * per);
            if (from <= to) {
                parts.add(part(k, from, to));
            }
        }
        String finish = "ALTER TABLE " + DemoDatabase.RANDOM_TEXT_TABLE + " ADD PRIMARY KEY (id);\n"
                + "ANALYZE " + DemoDatabase.RANDOM_TEXT_TABLE + ";\n";
        return DemoDatabase.of("randomText(" + megabytes + " MiB)", setup, parts, finish);
    }

    private static String part(int k, long from, long to) {
        String word = "w[1 + floor(random() * " + WORDS.size() + ")::int]";
        String hex = "md5(random()::text)";
        String base64 = "encode(decode(md5(random()::text), 'hex'), 'base64')";
        String number = "floor(random() * 1000000)::int";
        List<String> items = Stream.of(
                words(word, 5), base64, words(word, 4), number, words(word, 2), hex, words(word, 3), base64)
                .collect(Collectors.toList());
        String array = WORDS.stream().map(w -> "'" + w + "'").collect(Collectors.joining(",", "ARRAY[", "]::text[]"));
        // setseed makes random() repeatable within this session: the same rows every time
        return "SELECT setseed(" + (k + 1) / 10.0 + ");\n"
                + "INSERT INTO " + DemoDatabase.RANDOM_TEXT_TABLE + " (id, body)\n"
                + "SELECT i, concat_ws(' ', " + String.join(", ", items) + ")\n"
                + "FROM (SELECT " + array + " AS w) v, generate_series(" + from + ", " + to + ") i;\n";
    }

    private static String words(String word, int n) {
        return String.join(", ", java.util.Collections.nCopies(n, word));
    }
}
