package io.pgvault.internal.pipeline;

import io.pgvault.api.Encryption;
import io.pgvault.api.PipelineOptions;
import io.pgvault.api.Secret;
import io.pgvault.api.StoredObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import javax.crypto.Cipher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Set keys made ahead (ADR 0003): each handed out once, only a taken key replaced, no identity kept. */
@DisplayName("Set keys made ahead, and one derivation at a time")
class SetKeyReserveTest {
    private static final String KEY_FILE = "data/20261206T120000Z-abcdef/set-key.age";
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private final Encryption.Passphrase passphrase = Encryption.passphrase(Secret.of("made ahead")).withWorkFactor(10);
    private final Pipeline pipeline = new Pipeline(PipelineOptions.defaults().withCompression(
            io.pgvault.api.Compression.none()).withEncryption(passphrase));

    @Test
    @DisplayName("every set gets a key of its own: taken, refilled and taken again, no recipient repeats")
    void neverTheSameKeyTwice() throws IOException {
        SetKeyReserve reserve = pipeline.setKeyReserve();
        Set<String> recipients = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            SetKeyReserve.Prepared p = reserve.take(NOW);
            assertThat(recipients.add(p.key().recipient())).as("key %d is new", i).isTrue();
            assertThat(SetEncoder.join(p.wrapped()).stored()).isNotEmpty();
            if (i % 2 == 0) {
                reserve.refill(NOW);
            }
        }
    }

    @Test
    @DisplayName("the wrapped key file opens with the passphrase to the very key objects are encrypted to")
    void wrappedFileHoldsTheKey() throws IOException {
        SetKeyReserve reserve = pipeline.setKeyReserve();
        reserve.take(NOW);
        reserve.refill(NOW);
        SetKeyReserve.Prepared ahead = reserve.take(NOW);
        SetKeyReserve.Wrapped w = SetEncoder.join(ahead.wrapped());

        try (DecodeSession session = pipeline.session(key -> new ByteArrayInputStream(w.stored()))) {
            SetKey unwrapped = session.unwrap(KEY_FILE, w.encoded().storedSha256());
            assertThat(unwrapped.recipient()).isEqualTo(ahead.key().recipient());
        }
        Pipeline other = new Pipeline(PipelineOptions.defaults().withEncryption(
                Encryption.passphrase(Secret.of("another passphrase")).withWorkFactor(10)));
        try (DecodeSession session = other.session(key -> new ByteArrayInputStream(w.stored()))) {
            assertThatThrownBy(() -> session.unwrap(KEY_FILE, w.encoded().storedSha256()))
                    .isInstanceOf(io.pgvault.api.DecryptionException.class);
        }
    }

    @Test
    @DisplayName("what is kept between sets is the recipient and ciphertext: the key cannot open or write its identity")
    void keepsNoIdentity() {
        SetKeyReserve reserve = pipeline.setKeyReserve();
        reserve.take(NOW);
        reserve.refill(NOW);
        SetKeyReserve.Prepared ahead = reserve.take(NOW);

        assertThatThrownBy(() -> ahead.key().reader()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no identity");
        assertThatThrownBy(() -> ahead.key().fileText(NOW)).isInstanceOf(IllegalStateException.class);
        assertThat(ahead.key().recipient()).startsWith("age1");
        assertThat(reserve.toString()).doesNotContain("AGE-SECRET-KEY");
    }

    @Test
    @DisplayName("only a key handed out is replaced: a process that writes no set derives nothing ahead")
    void refillsOnlyWhatWasTaken() {
        SetKeyReserve reserve = pipeline.setKeyReserve();
        long ahead = ScryptWrapKey.AHEAD.get();
        reserve.refill(NOW);
        reserve.awaitSettled();
        assertThat(reserve.holdsOne()).isFalse();
        assertThat(ScryptWrapKey.AHEAD.get() - ahead).isZero();

        reserve.take(NOW);
        reserve.refill(NOW);
        reserve.refill(NOW);
        reserve.awaitSettled();
        SetKeyReserve.Prepared ready = reserve.peek();
        assertThat(ready).isNotNull();
        assertThat(ready.wrapped()).as("made, not failed").isCompleted();
        assertThat(ScryptWrapKey.AHEAD.get() - ahead).as("one key made ahead, however often refill is asked")
                .isEqualTo(1);

        long onPath = ScryptWrapKey.DERIVATIONS.get();
        assertThat(reserve.take(NOW)).as("the set takes the key made ahead").isSameAs(ready);
        assertThat(ScryptWrapKey.DERIVATIONS.get() - onPath).as("and derives nothing").isZero();
        assertThat(reserve.peek()).isNull();
    }

    @Test
    @DisplayName("eight sets taking keys at once each get their own")
    void concurrentTakes() throws Exception {
        SetKeyReserve reserve = pipeline.setKeyReserve();
        reserve.take(NOW);
        reserve.refill(NOW);
        CyclicBarrier start = new CyclicBarrier(8);
        List<String> recipients = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    SetKeyReserve.Prepared p = reserve.take(NOW);
                    SetEncoder.join(p.wrapped());
                    recipients.add(p.key().recipient());
                    reserve.refill(NOW);
                } catch (Exception e) {
                    recipients.add("failed: " + e);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(recipients).hasSize(8).doesNotHaveDuplicates().allSatisfy(r -> assertThat(r).startsWith("age1"));
    }

    @Test
    @DisplayName("a key file already adopted or written is never replaced by another key's")
    void oneKeyPerEncoder() throws IOException {
        SetEncoder encoder = pipeline.newSet();
        encoder.begin(NOW);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Encoded e = encoder.writeKeyFile(out, NOW);
        encoder.keyFileStored(SetEncoder.KEY_FILE, KEY_FILE, e);
        assertThatThrownBy(() -> encoder.writeKeyFile(new ByteArrayOutputStream(), NOW))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already written");
        try (DecodeSession session = pipeline.session(key -> new ByteArrayInputStream(out.toByteArray()))) {
            SetEncoder taken = pipeline.newSet();
            taken.begin(NOW);
            StoredObject file = encoder.keyFile().orElseThrow();
            assertThatThrownBy(() -> taken.adopt(session, file)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already has its key");
        }
    }

    @Test
    @DisplayName("every scrypt of the process goes through the one-at-a-time gate: no other call site derives")
    void noDerivationBypassesTheGate() throws IOException {
        java.nio.file.Path main = java.nio.file.Path.of("src/main/java");
        List<String> callers;
        try (var files = java.nio.file.Files.walk(main)) {
            callers = files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
                try {
                    return java.nio.file.Files.readString(f).contains("SCrypt.generate");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(f -> f.getFileName().toString()).toList();
        }
        assertThat(callers).containsExactly("Scrypt.java");
    }

    @Test
    @DisplayName("a set encoder writes the key made ahead as its key file, with no derivation of its own")
    void encoderUsesKeyMadeAhead() throws IOException {
        pipeline.newSet().writeKeyFile(new ByteArrayOutputStream(), NOW); // the first set: nothing was made ahead
        pipeline.prepareSetKey(NOW);
        pipeline.setKeyReserve().awaitSettled();

        long onPath = ScryptWrapKey.DERIVATIONS.get();
        SetEncoder encoder = pipeline.newSet();
        encoder.begin(NOW);
        ByteArrayOutputStream keyFile = new ByteArrayOutputStream();
        Encoded e = encoder.writeKeyFile(keyFile, NOW);
        ByteArrayOutputStream object = new ByteArrayOutputStream();
        try (EncodingStream enc = encoder.encode(object)) {
            enc.write("a row\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            enc.finish();
        }
        assertThat(ScryptWrapKey.DERIVATIONS.get() - onPath).isZero();
        assertThat(e.storedBytes()).isEqualTo(keyFile.size());
        try (DecodeSession session = pipeline.session(key -> new ByteArrayInputStream(keyFile.toByteArray()))) {
            SetKey unwrapped = session.unwrap(KEY_FILE, e.storedSha256());
            try (var in = new AgeDecryptingInput(new StoredBytesSource(new ByteArrayInputStream(object.toByteArray())),
                    unwrapped.reader(), "object", "its set's key")) {
                assertThat(in.readAllBytes()).asString().isEqualTo("a row\n");
            }
        }
    }

    @Test
    @DisplayName("derivations never overlap in a process: four at once run one after another (one derivation's heap)")
    void oneDerivationAtATime() throws Exception {
        CyclicBarrier start = new CyclicBarrier(4);
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    ScryptWrapKey.cipher(Cipher.ENCRYPT_MODE, Secret.of("p"), new byte[16], 14);
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures).isEmpty();
        assertThat(Scrypt.mostAtOnce()).isEqualTo(1);
    }
}
