package io.pgvault.spi;

import io.pgvault.api.InvalidKeyException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObjectKeysTest {
    @ParameterizedTest
    @ValueSource(strings = {"a", "manifests/20261121T142501Z-3f9a1c.json", "data/x/app.dump.zst.age",
            "archive/main/15-1/0000000100000000/000000010000000000000001-abc.zst", "a=b+c@d_e-f.g"})
    @DisplayName("safe keys are accepted unchanged")
    void accepts(String key) {
        assertThat(ObjectKeys.validate(key)).isEqualTo(key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/abs", "a//b", "a/../b", "..", ".", "a/./b", ".hidden", "a/.tmp", "a/", "a b",
            "a\\b", "a\u0000b", "caf\u00e9", "a:b", "a\nb"})
    @DisplayName("unsafe keys are refused with InvalidKeyException")
    void refuses(String key) {
        assertThatThrownBy(() -> ObjectKeys.validate(key)).isInstanceOf(InvalidKeyException.class);
    }

    @org.junit.jupiter.api.Test
    @DisplayName("keys longer than the maximum are refused")
    void tooLong() {
        assertThatThrownBy(() -> ObjectKeys.validate("a".repeat(ObjectKeys.MAX_LENGTH + 1)))
                .isInstanceOf(InvalidKeyException.class).hasMessageContaining("longer than");
    }

    @org.junit.jupiter.api.Test
    @DisplayName("prefixes may end with a slash but not escape")
    void prefixes() {
        assertThat(ObjectKeys.validatePrefix("")).isEmpty();
        assertThat(ObjectKeys.validatePrefix("data/")).isEqualTo("data/");
        assertThatThrownBy(() -> ObjectKeys.validatePrefix("../")).isInstanceOf(InvalidKeyException.class);
        assertThatThrownBy(() -> ObjectKeys.validatePrefix("/")).isInstanceOf(InvalidKeyException.class);
    }
}
