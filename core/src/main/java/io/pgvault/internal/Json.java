package io.pgvault.internal;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.pgvault.api.BackupId;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** The one JSON mapper pgvault uses for manifests and reports. */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new Jdk8Module())
            .addModule(new JavaTimeModule())
            .addMixIn(BackupId.class, BackupIdMixin.class)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            // newer manifests may add fields; an older reader must still list them
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .serializationInclusion(JsonInclude.Include.NON_ABSENT)
            .build();

    private Json() {
    }

    /** @return the shared, thread-safe mapper */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * Writes {@code value} with the shared mapper and leaves {@code out} open (flushed): the stream a repository hands
     * to an {@link io.pgvault.spi.ObjectWriter} is the repository's to close.
     *
     * @param out   where to write
     * @param value what to write
     * @throws IOException when writing fails
     */
    public static void write(OutputStream out, Object value) throws IOException {
        MAPPER.writeValue(new NonClosing(out), value);
    }

    private static final class NonClosing extends FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    abstract static class BackupIdMixin {
        @JsonCreator
        BackupIdMixin(String value) {
        }

        @JsonValue
        abstract String value();
    }
}
