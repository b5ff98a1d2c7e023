package io.pgvault.config;

import java.util.List;

/** Whether an optional pgvault module is on the classpath; a missing one is a problem naming its artifact. */
final class Modules {
    private Modules() {
    }

    static boolean present(String className, String property, String artifact, List<String> problems) {
        try {
            Class.forName(className, false, Modules.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            problems.add(property + " needs io.pgvault:" + artifact + " on the classpath (add the dependency)");
            return false;
        }
    }
}
