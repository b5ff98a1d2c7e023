package io.pgvault.operations.drill;

import io.pgvault.api.Secret;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The drill superuser's SCRAM-SHA-256 verifier, in PostgreSQL's {@code pg_authid.rolpassword} format. */
class ScramVerifierTest {
    @Test
    @DisplayName("a known answer: PBKDF2-HMAC-SHA-256, StoredKey = H(HMAC(salted, 'Client Key')), ServerKey = "
            + "HMAC(salted, 'Server Key'), computed independently (Python's hashlib) for 'pencil', salt 00..0f, 4096")
    void knownAnswer() {
        byte[] salt = new byte[16];
        for (int i = 0; i < salt.length; i++) {
            salt[i] = (byte) i;
        }
        assertThat(ScramVerifier.of(Secret.of("pencil"), salt, 4096)).isEqualTo("SCRAM-SHA-256$4096:"
                + "AAECAwQFBgcICQoLDA0ODw==$zHCdol2044/ZyWzPLi7oxApCkamKw9Z+E4U/QApd/5Y=:"
                + "dd5peBOitVnLNFu7VmwP+HiDaaw4OUCv396eVCWhYiE=");
    }

    @Test
    @DisplayName("a fresh salt each time; a password outside printable ASCII (which would need SASLprep) is refused")
    void freshSaltAndAsciiOnly() {
        assertThat(ScramVerifier.of(Secret.of("pencil"))).isNotEqualTo(ScramVerifier.of(Secret.of("pencil")))
                .startsWith("SCRAM-SHA-256$4096:");
        assertThatThrownBy(() -> ScramVerifier.of(Secret.of("pénc il"))).isInstanceOf(IllegalArgumentException.class);
    }
}
