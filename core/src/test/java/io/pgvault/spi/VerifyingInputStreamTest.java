package io.pgvault.spi;

import io.pgvault.api.IntegrityException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VerifyingInputStreamTest {
    private static final byte[] CONTENT = "the stored object".getBytes(StandardCharsets.UTF_8);

    @Test
    @DisplayName("an intact object reads to its end without complaint")
    void intact() throws IOException {
        try (InputStream in = verifying(CONTENT, CONTENT.length, "SHA-256", hex("SHA-256", CONTENT))) {
            assertThat(in.readAllBytes()).isEqualTo(CONTENT);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    @DisplayName("the recorded digest is compared ignoring hex case")
    void upperCaseDigest() throws IOException {
        try (InputStream in = verifying(CONTENT, CONTENT.length, "MD5", hex("MD5", CONTENT).toUpperCase())) {
            assertThat(in.readAllBytes()).isEqualTo(CONTENT);
        }
    }

    @Test
    @DisplayName("changed bytes throw IntegrityException at the end, naming object, sizes and digests")
    void changedBytes() {
        byte[] changed = CONTENT.clone();
        changed[3] ^= 1;
        String expected = hex("SHA-256", CONTENT);
        InputStream in = verifying(changed, CONTENT.length, "SHA-256", expected);
        assertThatThrownBy(in::readAllBytes).isInstanceOf(IntegrityException.class)
                .hasMessage("'k' in repo is corrupt: read " + CONTENT.length + " bytes with SHA-256 "
                        + hex("SHA-256", changed) + ", but " + CONTENT.length + " bytes with SHA-256 " + expected
                        + " were stored");
    }

    @Test
    @DisplayName("a truncated object throws IntegrityException, also when the end is reached one byte at a time")
    void truncated() {
        byte[] shorter = Arrays.copyOf(CONTENT, CONTENT.length - 1);
        InputStream in = verifying(shorter, CONTENT.length, "MD5", hex("MD5", CONTENT));
        assertThatThrownBy(() -> {
            while (in.read() >= 0) {
                // read byte by byte to the end
            }
        }).isInstanceOf(IntegrityException.class).hasMessageContaining("read " + shorter.length + " bytes with MD5");
    }

    @Test
    @DisplayName("skipped bytes are digested: skipping over a changed byte is still caught")
    void skipDigests() throws IOException {
        byte[] changed = CONTENT.clone();
        changed[1] ^= 1;
        InputStream in = verifying(changed, CONTENT.length, "SHA-256", hex("SHA-256", CONTENT));
        assertThat(in.skip(5)).isEqualTo(5);
        assertThat(in.markSupported()).isFalse();
        assertThatThrownBy(in::readAllBytes).isInstanceOf(IntegrityException.class);
    }

    private static InputStream verifying(byte[] bytes, long size, String algorithm, String digest) {
        return new VerifyingInputStream(new ByteArrayInputStream(bytes), "'k' in repo", size, algorithm, digest);
    }

    private static String hex(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
