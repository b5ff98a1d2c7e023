package io.pgvault.config;

import io.pgvault.api.ConfigurationException;

import java.util.ArrayList;
import java.util.List;

/** One bind of a tree: the problems found so far, the schema declared, the environment variables used as secrets. */
final class Binding {
    private final ConfigTree tree;
    private final boolean describing;
    private final ConfigSchema schema = new ConfigSchema();
    private final List<String> problems = new ArrayList<>();

    Binding(ConfigTree tree, boolean describing) {
        this.tree = tree;
        this.describing = describing;
    }

    ConfigTree tree() {
        return tree;
    }

    boolean describing() {
        return describing;
    }

    ConfigSchema schema() {
        return schema;
    }

    void problem(String key, String message) {
        if (!describing) {
            problems.add(key + " " + message);
        }
    }

    /** Adds a problem per key nobody read, then throws when there is any problem. */
    void finish(String root) {
        if (describing) {
            return;
        }
        for (String unknown : tree.unread(root)) {
            problems.add(unknown + " is not a pgvault setting (misspelt, or set for a section that is not used)");
        }
        ConfigurationException.throwIfAny(problems);
    }
}
