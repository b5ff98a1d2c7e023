package io.pgvault.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every property the binder reads, with its type, default and description, in the order the binder reads them. The
 * Spring Boot starter turns it into {@code spring-configuration-metadata.json} (IDE completion of {@code pgvault.*})
 * and the docs list it, so neither can drift from the code.
 *
 * @since 0.6.0
 */
public final class ConfigSchema {
    private final Map<String, Property> properties = new LinkedHashMap<>();

    /**
     * One property.
     *
     * @param name         canonical name; {@code [*]} stands for any list index
     * @param type         what the value must be
     * @param defaultValue the default as written in a file, or {@code null} when there is none
     * @param description  what it does
     * @param section      whether this is a list of sections rather than a value
     * @since 0.6.0
     */
    public record Property(String name, String type, String defaultValue, String description, boolean section) {
    }

    void property(String name, String type, String defaultValue, String description) {
        properties.putIfAbsent(name, new Property(name, type, defaultValue, description, false));
    }

    void section(String name, String description) {
        properties.putIfAbsent(name, new Property(name, "list", null, description, true));
    }

    /** @return every property, in the order bound */
    public List<Property> properties() {
        return Collections.unmodifiableList(new ArrayList<>(properties.values()));
    }
}
