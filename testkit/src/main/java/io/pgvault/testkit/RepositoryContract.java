package io.pgvault.testkit;

import io.pgvault.api.InvalidKeyException;
import io.pgvault.api.NotFoundException;
import io.pgvault.api.RepositoryException;
import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectKeys;
import io.pgvault.spi.Repository;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The behaviour every {@link Repository} must show, as JUnit tests. An implementation adopts it in a short subclass
 * that builds a fresh, empty repository for each test:
 * <pre>{@code
 * class LocalRepositoryContractTest extends RepositoryContract {
 *     @TempDir
 *     Path dir;
 *
 *     @Override
 *     protected Repository newRepository() {
 *         return LocalRepository.at(dir.resolve("repository"));
 *     }
 * }
 * }</pre>
 * The multi-GiB round trip is tagged {@value #LARGE_TAG}; its size comes from {@link #largeObjectBytes()}, by default
 * the system property {@value #LARGE_BYTES_PROPERTY} or {@value #DEFAULT_LARGE_BYTES} bytes ({@code 0} skips it).
 *
 * @since 0.1.0
 */
public abstract class RepositoryContract {
    /**
     * Tag of the tests that move gigabytes.
     *
     * @since 0.1.0
     */
    public static final String LARGE_TAG = "large";
    /**
     * System property overriding the size of the large object, in bytes; {@code 0} skips the large test.
     *
     * @since 0.1.0
     */
    public static final String LARGE_BYTES_PROPERTY = "pgvault.contract.largeBytes";
    /**
     * Default size of the large object: over 3 GiB and not a multiple of any buffer size, to catch int overflows.
     *
     * @since 0.1.0
     */
    public static final long DEFAULT_LARGE_BYTES = 3L * 1024 * 1024 * 1024 + 12_345;

    private static final int THREADS = 8;
    private static final int LISTED_KEYS = 1100;

    private Repository repository;

    /**
     * @return a new, empty repository; called before every test
     * @since 0.1.0
     */
    protected abstract Repository newRepository();

    /**
     * @return size of the object of the large round trip; {@code 0} or less skips that test. Default: the system
     *         property {@value #LARGE_BYTES_PROPERTY}, else {@value #DEFAULT_LARGE_BYTES}
     * @since 0.1.0
     */
    protected long largeObjectBytes() {
        return Long.getLong(LARGE_BYTES_PROPERTY, DEFAULT_LARGE_BYTES);
    }

    /**
     * @return secrets the repository was configured with (keys, tokens), which {@code id()}, {@code toString()} and
     *         error messages must never contain; empty by default, which skips that check with a stated reason
     * @since 0.1.0
     */
    protected Collection<String> secrets() {
        return List.of();
    }

    /**
     * Releases a repository after its test; closes it when it is {@link AutoCloseable}.
     *
     * @param repository the repository {@link #newRepository()} returned
     * @throws Exception when releasing fails
     * @since 0.1.0
     */
    protected void dispose(Repository repository) throws Exception {
        if (repository instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    /**
     * @return the repository of the running test, for tests a subclass adds
     * @since 0.1.0
     */
    protected final Repository repository() {
        return repository;
    }

    /**
     * Creates the repository of the next test with {@link #newRepository()}.
     *
     * @since 0.1.0
     */
    @BeforeEach
    protected final void createRepository() {
        repository = Objects.requireNonNull(newRepository(), "newRepository() returned null");
    }

    /**
     * Releases the repository of the last test with {@link #dispose(Repository)}.
     *
     * @throws Exception when releasing fails
     * @since 0.1.0
     */
    @AfterEach
    protected final void disposeRepository() throws Exception {
        if (repository != null) {
            dispose(repository);
        }
    }

    @Nested
    @DisplayName("put and open")
    class RoundTrip {
        @Test
        @DisplayName("a small object reads back byte for byte")
        void smallObject() {
            byte[] content = content(100_003, 1);
            put("round/small", content);
            assertThat(read("round/small")).isEqualTo(content);
        }

        @Test
        @DisplayName("an empty object reads back as zero bytes")
        void emptyObject() {
            repository.put("round/empty", out -> { });
            assertThat(read("round/empty")).isEmpty();
        }

        @Test
        @DisplayName("a one-byte object reads back")
        void oneByte() {
            put("round/one", new byte[] {(byte) 0xA5});
            assertThat(read("round/one")).containsExactly((byte) 0xA5);
        }

        @Test
        @DisplayName("bytes written one at a time and in odd-sized chunks read back in order")
        void mixedWrites() {
            byte[] content = content(70_001, 2);
            repository.put("round/mixed", out -> {
                for (int i = 0; i < 1000; i++) {
                    out.write(content[i]);
                }
                for (int offset = 1000; offset < content.length; offset += 7919) {
                    out.write(content, offset, Math.min(7919, content.length - offset));
                }
            });
            assertThat(read("round/mixed")).isEqualTo(content);
        }

        @Test
        @DisplayName("objects under deeply nested keys read back")
        void nestedKey() {
            byte[] content = content(1234, 3);
            put("a/b/c/d/e/f/g", content);
            assertThat(read("a/b/c/d/e/f/g")).isEqualTo(content);
        }

        @Test
        @DisplayName("a key of exactly ObjectKeys.MAX_LENGTH characters and every allowed character round-trips")
        void longestKey() {
            String key = "Az09_+=@-.x/" + ("s".repeat(99) + "/").repeat(4);
            key = key + "k".repeat(ObjectKeys.MAX_LENGTH - key.length());
            put(key, content(10, 4));
            assertThat(read(key)).isEqualTo(content(10, 4));
            assertThat(keys("")).containsExactly(key);
        }

        @Test
        @DisplayName("put returns the key, size and SHA-256 of what it stored")
        void putReturnsInfo() {
            byte[] content = content(4097, 5);
            ObjectInfo info = put("round/info", content);
            assertThat(info.key()).isEqualTo("round/info");
            assertThat(info.size()).isEqualTo(4097);
            info.sha256().ifPresent(sha -> assertThat(sha).isEqualTo(sha256(content)));
        }

        @Test
        @DisplayName("two streams opened on one object read the same bytes independently")
        void twoReaders() throws IOException {
            byte[] content = content(200_000, 6);
            put("round/shared", content);
            try (InputStream first = repository.open("round/shared");
                 InputStream second = repository.open("round/shared")) {
                byte[] head = first.readNBytes(1000);
                assertThat(second.readAllBytes()).isEqualTo(content);
                assertThat(concat(head, first.readAllBytes())).isEqualTo(content);
            }
        }
    }

    @Nested
    @Tag(LARGE_TAG)
    @DisplayName("large objects")
    class LargeObjects {
        @Test
        @DisplayName("a multi-GiB object streams through put and open unchanged, never held in memory")
        void multiGibRoundTrip() throws IOException {
            long size = largeObjectBytes();
            assumeTrue(size > 0, LARGE_BYTES_PROPERTY + " or largeObjectBytes() <= 0 disables the large round trip");
            GeneratedContent content = new GeneratedContent(size, 42);
            AtomicReference<String> written = new AtomicReference<>();
            ObjectInfo stored = repository.put("large/object", out -> written.set(content.writeTo(out)));
            try (InputStream in = repository.open("large/object")) {
                assertThat(StreamDigest.of(in)).isEqualTo(new StreamDigest(size, written.get()));
            }
            assertThat(stored.size()).isEqualTo(size);
            stored.sha256().ifPresent(sha -> assertThat(sha).isEqualTo(written.get()));
            assertThat(repository.stat("large/object")).get().extracting(ObjectInfo::size).isEqualTo(size);
            repository.delete("large/object");
        }
    }

    @Nested
    @DisplayName("stat")
    class Stat {
        @Test
        @DisplayName("stat reports the size of a stored object")
        void size() {
            put("stat/sized", content(12_345, 7));
            assertThat(repository.stat("stat/sized")).get().extracting(ObjectInfo::size).isEqualTo(12_345L);
        }

        @Test
        @DisplayName("stat reports the SHA-256 of the content, when the repository records one")
        void sha256OfContent() {
            put("stat/hello", "hello".getBytes(StandardCharsets.US_ASCII));
            put("stat/empty", new byte[0]);
            assertThat(repository.stat("stat/hello").orElseThrow().sha256()).hasValueSatisfying(sha -> assertThat(sha)
                    .isEqualTo("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"));
            assertThat(repository.stat("stat/empty").orElseThrow().sha256()).hasValueSatisfying(sha -> assertThat(sha)
                    .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        }

        @Test
        @DisplayName("stat agrees with what put returned")
        void agreesWithPut() {
            byte[] content = content(999, 8);
            ObjectInfo stored = put("stat/agree", content);
            ObjectInfo stat = repository.stat("stat/agree").orElseThrow();
            assertThat(stat.key()).isEqualTo(stored.key());
            assertThat(stat.size()).isEqualTo(stored.size());
            stat.sha256().ifPresent(sha -> assertThat(sha).isEqualTo(sha256(content)));
        }

        @Test
        @DisplayName("lastModified is the time of writing (give or take a day, for clock skew)")
        void lastModified() {
            put("stat/time", content(10, 9));
            Instant modified = repository.stat("stat/time").orElseThrow().lastModified();
            assertThat(modified).isCloseTo(Instant.now(), within(Duration.ofDays(1)));
        }
    }

    @Nested
    @DisplayName("missing objects")
    class Missing {
        @Test
        @DisplayName("open of a missing key throws NotFoundException naming the key")
        void openMissing() {
            assertThatExceptionOfType(NotFoundException.class)
                    .isThrownBy(() -> repository.open("missing/object"))
                    .withMessageContaining("missing/object");
        }

        @Test
        @DisplayName("stat of a missing key is empty")
        void statMissing() {
            assertThat(repository.stat("missing/object")).isEmpty();
        }

        @Test
        @DisplayName("a folder-like prefix of an existing key is not itself an object")
        void prefixIsNoObject() {
            put("folder/file", content(10, 10));
            assertThat(repository.stat("folder")).isEmpty();
            assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> repository.open("folder"));
            repository.delete("folder");
            assertThat(keys("")).containsExactly("folder/file");
        }

        @Test
        @DisplayName("listing a prefix that no key starts with gives an empty list")
        void listMissing() {
            put("present", content(10, 11));
            assertThat(repository.list("absent/")).isEmpty();
            assertThat(repository.list("presently")).isEmpty();
        }
    }

    @Nested
    @DisplayName("create-only puts (putIfAbsent)")
    class CreateOnly {
        @Test
        @DisplayName("putIfAbsent stores a new object and refuses an existing key without changing it")
        void refusesExisting() {
            assertThat(repository.putIfAbsent("once/key", out -> out.write(content(5000, 31)))).isPresent();
            assertThat(repository.putIfAbsent("once/key", out -> out.write(content(6000, 32)))).isEmpty();
            assertThat(read("once/key")).isEqualTo(content(5000, 31));
            assertThat(keys("")).containsExactly("once/key");
        }

        @Test
        @DisplayName("where putIfAbsent is atomic, exactly one of many concurrent writers of one key succeeds, and "
                + "its bytes are the ones stored")
        void oneWinner() throws Exception {
            assumeTrue(repository.putIfAbsentIsAtomic(), "the store offers no conditional write; the catalog "
                    + "relies on its writers' leases instead (ADR 0002)");
            byte[][] winners = new byte[THREADS][];
            inParallel(THREADS, i -> {
                byte[] bytes = content(20_000 + i, 200 + i);
                if (repository.putIfAbsent("race/key", out -> out.write(bytes)).isPresent()) {
                    winners[i] = bytes;
                }
            });
            List<byte[]> won = Arrays.stream(winners).filter(Objects::nonNull).toList();
            assertThat(won).hasSize(1);
            assertThat(read("race/key")).isEqualTo(won.get(0));
            assertThat(keys("")).containsExactly("race/key");
        }
    }

    @Nested
    @DisplayName("overwrite and atomicity")
    class Atomicity {
        @Test
        @DisplayName("a second put replaces the whole object, also with shorter content")
        void overwriteWithShorter() {
            put("over/key", content(10_000, 12));
            put("over/key", content(10, 13));
            assertThat(read("over/key")).isEqualTo(content(10, 13));
            assertThat(repository.stat("over/key")).get().extracting(ObjectInfo::size).isEqualTo(10L);
        }

        @Test
        @DisplayName("readers see the previous object, whole, until an overwrite returns")
        void overwriteInvisibleUntilDone() throws Exception {
            byte[] previous = content(3000, 14);
            byte[] next = content(70_000, 15);
            put("over/key", previous);
            try (PausedProducer producer = new PausedProducer(next, 40_000)) {
                producer.startPut(repository, "over/key");
                assertThat(read("over/key")).isEqualTo(previous);
                assertThat(repository.stat("over/key")).get().extracting(ObjectInfo::size).isEqualTo(3000L);
                producer.finish();
            }
            assertThat(read("over/key")).isEqualTo(next);
        }

        @Test
        @DisplayName("an object being written is invisible to stat, list and open until put returns")
        void newObjectInvisibleUntilDone() throws Exception {
            try (PausedProducer producer = new PausedProducer(content(70_000, 16), 40_000)) {
                producer.startPut(repository, "fresh/key");
                assertThat(repository.stat("fresh/key")).isEmpty();
                assertThat(repository.list("")).isEmpty();
                assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> repository.open("fresh/key"));
                assertThat(producer.finish().size()).isEqualTo(70_000);
            }
            assertThat(read("fresh/key")).isEqualTo(content(70_000, 16));
        }

        @Test
        @DisplayName("concurrent puts to one key leave exactly one of the written objects, whole")
        void concurrentPutsToOneKey() throws Exception {
            inParallel(THREADS, i -> put("same/key", content(50_000 + i, 100 + i)));
            byte[] stored = read("same/key");
            assertThat(IntStream.range(0, THREADS).mapToObj(i -> content(50_000 + i, 100 + i)))
                    .anySatisfy(candidate -> assertThat(candidate).isEqualTo(stored));
            ObjectInfo info = repository.stat("same/key").orElseThrow();
            assertThat(info.size()).isEqualTo(stored.length);
            info.sha256().ifPresent(sha -> assertThat(sha).isEqualTo(sha256(stored)));
            assertThat(keys("")).containsExactly("same/key");
        }
    }

    @Nested
    @DisplayName("delete")
    class Delete {
        @Test
        @DisplayName("delete removes the object from open, stat and list")
        void deleteRemoves() {
            put("del/key", content(100, 17));
            repository.delete("del/key");
            assertThat(repository.stat("del/key")).isEmpty();
            assertThat(repository.list("")).isEmpty();
            assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> repository.open("del/key"));
        }

        @Test
        @DisplayName("deleting a missing key is not an error, nor is deleting twice")
        void deleteIdempotent() {
            repository.delete("del/never-written");
            put("del/key", content(100, 18));
            repository.delete("del/key");
            repository.delete("del/key");
            assertThat(repository.stat("del/key")).isEmpty();
        }

        @Test
        @DisplayName("delete leaves neighbouring and nested keys alone")
        void deleteIsPrecise() {
            for (String key : List.of("d/x/1", "d/x/2", "d/y", "d-z", "d/x1")) {
                put(key, content(10, key.hashCode()));
            }
            repository.delete("d/x/1");
            assertThat(keys("")).containsExactly("d-z", "d/x/2", "d/x1", "d/y");
        }

        @Test
        @DisplayName("a deleted key can be written again, also when deleting emptied its folders")
        void rewriteAfterDelete() {
            put("a/b/c", content(100, 19));
            repository.delete("a/b/c");
            put("a/b/c", content(200, 20));
            assertThat(read("a/b/c")).isEqualTo(content(200, 20));
        }
    }

    @Nested
    @DisplayName("a failing producer")
    class FailingProducer {
        @Test
        @DisplayName("leaves nothing visible when it fails part-way through a new key")
        void failureLeavesNothing() {
            assertThatThrownBy(() -> repository.put("fail/key", out -> {
                new GeneratedContent(1 << 20, 21).writeTo(out);
                throw new IOException("producer broke");
            })).isInstanceOf(RepositoryException.class);
            assertThat(repository.stat("fail/key")).isEmpty();
            assertThat(repository.list("")).isEmpty();
            assertThatExceptionOfType(NotFoundException.class).isThrownBy(() -> repository.open("fail/key"));
        }

        @Test
        @DisplayName("leaves nothing visible when it fails before writing a byte")
        void immediateFailureLeavesNothing() {
            assertThatThrownBy(() -> repository.put("fail/key", out -> {
                throw new IOException("producer broke at once");
            })).isInstanceOf(RepositoryException.class);
            assertThat(repository.stat("fail/key")).isEmpty();
            assertThat(repository.list("")).isEmpty();
        }

        @Test
        @DisplayName("leaves the previous object under the key unchanged")
        void failureKeepsPrevious() {
            byte[] previous = content(5000, 22);
            put("fail/key", previous);
            assertThatThrownBy(() -> repository.put("fail/key", out -> {
                out.write(content(100_000, 23));
                throw new IOException("producer broke");
            })).isInstanceOf(RepositoryException.class);
            assertThat(read("fail/key")).isEqualTo(previous);
            repository.stat("fail/key").orElseThrow().sha256()
                    .ifPresent(sha -> assertThat(sha).isEqualTo(sha256(previous)));
            assertThat(keys("")).containsExactly("fail/key");
        }

        @Test
        @DisplayName("surfaces an IOException as a RepositoryException caused by it")
        void ioExceptionIsTheCause() {
            IOException failure = new IOException("pg_dump died");
            assertThatThrownBy(() -> repository.put("fail/key", out -> {
                out.write(1);
                throw failure;
            })).isInstanceOf(RepositoryException.class)
                    .satisfies(thrown -> assertThat(causalChain(thrown)).contains(failure));
        }

        @Test
        @DisplayName("lets an unchecked exception propagate, itself or as a cause")
        void uncheckedExceptionPropagates() {
            IllegalStateException failure = new IllegalStateException("producer bug");
            assertThatThrownBy(() -> repository.put("fail/key", out -> {
                out.write(content(1000, 24));
                throw failure;
            })).satisfies(thrown -> assertThat(causalChain(thrown)).contains(failure));
            assertThat(repository.stat("fail/key")).isEmpty();
            assertThat(repository.list("")).isEmpty();
        }

        @Test
        @DisplayName("does not prevent a later put of the same key")
        void laterPutSucceeds() {
            assertThatThrownBy(() -> repository.put("fail/key", out -> {
                out.write(content(1000, 25));
                throw new IOException("producer broke");
            })).isInstanceOf(RepositoryException.class);
            put("fail/key", content(10, 26));
            assertThat(read("fail/key")).isEqualTo(content(10, 26));
        }
    }

    @Nested
    @DisplayName("list")
    class Listing {
        private final List<String> fixture = List.of("b", "abc/1", "a/2/x", "a-1", "ab", "a/1", "a/20");

        @BeforeEach
        void storeFixture() {
            fixture.forEach(key -> put(key, key.getBytes(StandardCharsets.US_ASCII)));
        }

        @Test
        @DisplayName("the empty prefix lists every key once, in String order")
        void listAll() {
            assertThat(keys("")).containsExactlyElementsOf(fixture.stream().sorted().toList());
        }

        @Test
        @DisplayName("a prefix ending in '/' lists that folder and everything under it, nothing beside it")
        void folderPrefix() {
            assertThat(keys("a/")).containsExactly("a/1", "a/2/x", "a/20");
            assertThat(keys("a/2/")).containsExactly("a/2/x");
        }

        @Test
        @DisplayName("a prefix without '/' matches the start of keys, across folders")
        void stringPrefix() {
            assertThat(keys("a")).containsExactly("a-1", "a/1", "a/2/x", "a/20", "ab", "abc/1");
            assertThat(keys("ab")).containsExactly("ab", "abc/1");
            assertThat(keys("a/2")).containsExactly("a/2/x", "a/20");
        }

        @Test
        @DisplayName("a prefix equal to a key lists that object")
        void exactKey() {
            assertThat(keys("abc/1")).containsExactly("abc/1");
            assertThat(keys("a/2/x")).containsExactly("a/2/x");
        }

        @Test
        @DisplayName("keys sort by String order, where '-' and '.' come before '/'")
        void stringOrder() {
            List<String> tricky = List.of("s/a0", "s/a/b", "s/a.b", "s/a-b", "s/B", "s/_x", "s0");
            tricky.forEach(key -> put(key, new byte[1]));
            assertThat(keys("s")).containsExactlyElementsOf(tricky.stream().sorted().toList());
        }

        @Test
        @DisplayName("entries carry the size, and the SHA-256 when the repository records one")
        void entriesCarryMetadata() {
            for (ObjectInfo info : repository.list("")) {
                byte[] content = info.key().getBytes(StandardCharsets.US_ASCII);
                assertThat(info.size()).as(info.key()).isEqualTo(content.length);
                info.sha256().ifPresent(sha -> assertThat(sha).as(info.key()).isEqualTo(sha256(content)));
            }
        }

        @Test
        @DisplayName("more than a thousand keys are listed completely and in order")
        void manyKeys() throws Exception {
            List<String> many = IntStream.range(0, LISTED_KEYS).mapToObj(i -> String.format("many/k%04d", i)).toList();
            inParallel(many.size(), i -> put(many.get(i), new byte[] {(byte) i}));
            put("many0", new byte[1]);
            assertThat(keys("many/")).containsExactlyElementsOf(many);
            assertThat(keys("many/k05")).containsExactlyElementsOf(many.subList(500, 600));
            assertThat(repository.list("")).hasSize(fixture.size() + LISTED_KEYS + 1);
        }
    }

    @Nested
    @DisplayName("unsafe keys")
    class UnsafeKeyRejection {
        @ParameterizedTest(name = "{0}")
        @MethodSource("io.pgvault.testkit.UnsafeKeys#keys")
        @DisplayName("put, open, stat and delete refuse an unsafe key with InvalidKeyException")
        void unsafeKeyRefused(String key) {
            assertThatExceptionOfType(InvalidKeyException.class).isThrownBy(() -> repository.put(key, out -> {
                throw new AssertionError("the producer ran for an unsafe key");
            }));
            assertThatExceptionOfType(InvalidKeyException.class).isThrownBy(() -> repository.open(key));
            assertThatExceptionOfType(InvalidKeyException.class).isThrownBy(() -> repository.stat(key));
            assertThatExceptionOfType(InvalidKeyException.class).isThrownBy(() -> repository.delete(key));
            assertThat(repository.list("")).isEmpty();
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("io.pgvault.testkit.UnsafeKeys#prefixes")
        @DisplayName("list refuses an unsafe prefix with InvalidKeyException")
        void unsafePrefixRefused(String prefix) {
            assertThatExceptionOfType(InvalidKeyException.class).isThrownBy(() -> repository.list(prefix));
        }
    }

    @Nested
    @DisplayName("identity")
    class Identity {
        @Test
        @DisplayName("id() and toString() are non-blank, and id() is stable")
        void nonBlank() {
            assertThat(repository.id()).isNotBlank().isEqualTo(repository.id());
            assertThat(repository.toString()).isNotBlank();
        }

        @Test
        @DisplayName("id(), toString() and error messages reveal none of the repository's secrets")
        void noSecrets() {
            assumeFalse(secrets().isEmpty(), "the repository declares no secrets (override secrets() to check them)");
            String message = catchMessage(() -> repository.open("missing/object"));
            for (String secret : secrets()) {
                assertThat(repository.id()).doesNotContain(secret);
                assertThat(repository.toString()).doesNotContain(secret);
                assertThat(message).doesNotContain(secret);
            }
        }
    }

    @Nested
    @DisplayName("concurrency")
    class Concurrency {
        @Test
        @DisplayName("concurrent puts to different keys all land intact")
        void concurrentPuts() throws Exception {
            int count = THREADS * 25;
            inParallel(count, i -> put("conc/" + (i % 5) + "/k" + i, content(4096 + i, 1000 + i)));
            for (int i = 0; i < count; i++) {
                assertThat(read("conc/" + (i % 5) + "/k" + i)).as("key %d", i).isEqualTo(content(4096 + i, 1000 + i));
            }
            assertThat(repository.list("conc/")).hasSize(count);
        }

        @Test
        @DisplayName("puts and deletes in the same folder do not disturb each other")
        void putsAndDeletes() throws Exception {
            inParallel(THREADS * 20, i -> {
                String key = "churn/k" + (i % THREADS) + "/" + i;
                put(key, content(100, i));
                repository.delete(key);
            });
            assertThat(repository.list("")).isEmpty();
        }
    }

    private ObjectInfo put(String key, byte[] content) {
        return repository.put(key, out -> out.write(content));
    }

    private byte[] read(String key) {
        try (InputStream in = repository.open(key)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading '" + key + "' failed", e);
        }
    }

    private List<String> keys(String prefix) {
        return repository.list(prefix).stream().map(ObjectInfo::key).toList();
    }

    private static byte[] content(int size, long seed) {
        return new GeneratedContent(size, seed).bytes();
    }

    private static String sha256(byte[] content) {
        return StreamDigest.of(content).sha256();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }

    private static List<Throwable> causalChain(Throwable thrown) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = thrown; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return Collections.unmodifiableList(chain);
    }

    private static String catchMessage(Runnable action) {
        try {
            action.run();
            return "";
        } catch (RuntimeException e) {
            return String.valueOf(e.getMessage());
        }
    }

    /** Runs {@code task(0..count-1)} on {@value #THREADS} threads and fails with the first failure. */
    private static void inParallel(int count, IntConsumer task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> futures = IntStream.range(0, count)
                    .<Future<?>>mapToObj(i -> pool.submit(() -> task.accept(i)))
                    .toList();
            for (Future<?> future : futures) {
                future.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
