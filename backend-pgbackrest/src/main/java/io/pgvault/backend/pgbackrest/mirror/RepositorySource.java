package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.spi.ObjectInfo;
import io.pgvault.spi.ObjectKeys;
import io.pgvault.spi.Repository;

import java.io.InputStream;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/** A pgBackRest repository in object storage, read through pgvault's {@link Repository} SPI. */
final class RepositorySource implements SourceRepo {
    private final Repository repository;
    private final String prefix;

    RepositorySource(Repository repository, String prefix) {
        this.repository = Objects.requireNonNull(repository, "repository");
        String p = Objects.requireNonNull(prefix, "prefix");
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (!p.isEmpty()) {
            ObjectKeys.validate(p);
        }
        this.prefix = p.isEmpty() ? "" : p + "/";
    }

    @Override
    public String id() {
        return repository.id() + (prefix.isEmpty() ? "" : " under " + prefix);
    }

    private String dirPrefix(String directory) {
        return directory.isEmpty() ? prefix : prefix + (directory.endsWith("/") ? directory : directory + "/");
    }

    @Override
    public List<SourceFile> list(String directory, boolean recursive) {
        String p = dirPrefix(directory);
        return repository.list(p).stream()
                .filter(o -> recursive || o.key().indexOf('/', p.length()) < 0)
                .map(o -> new SourceFile(o.key().substring(prefix.length()), o.size())).toList();
    }

    @Override
    public List<String> directories(String directory) {
        String p = dirPrefix(directory);
        TreeSet<String> names = new TreeSet<>();
        for (ObjectInfo o : repository.list(p)) {
            int slash = o.key().indexOf('/', p.length());
            if (slash > 0) {
                names.add(o.key().substring(p.length(), slash));
            }
        }
        return List.copyOf(names);
    }

    @Override
    public Optional<SourceFile> stat(String path) {
        return repository.stat(prefix + path).map(o -> new SourceFile(path, o.size()));
    }

    @Override
    public InputStream open(String path) {
        return repository.open(prefix + path);
    }

    @Override
    public String toString() {
        return "SourceRepo[" + id() + "]";
    }
}
