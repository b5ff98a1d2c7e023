package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.ConfigurationException;
import io.pgvault.api.NotFoundException;
import io.pgvault.api.RepositoryException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/** A posix pgBackRest repository read directly. Symbolic links (pgBackRest's {@code latest}) are not followed. */
final class PosixSource implements SourceRepo {
    private final Path root;

    PosixSource(Path root) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
    }

    @Override
    public String id() {
        return "posix:" + root;
    }

    private Path resolve(String relative) {
        Path p = relative.isEmpty() ? root : root.resolve(relative).normalize();
        if (!p.startsWith(root)) {
            throw new ConfigurationException("path '" + relative + "' leaves the repository " + root);
        }
        return p;
    }

    @Override
    public List<SourceFile> list(String directory, boolean recursive) {
        Path dir = resolve(directory);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<SourceFile> out = new ArrayList<>();
        try (Stream<Path> s = recursive ? Files.walk(dir) : Files.list(dir)) {
            s.forEach(p -> {
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    if (a.isRegularFile()) {
                        out.add(new SourceFile(root.relativize(p).toString(), a.size()));
                    }
                } catch (IOException e) {
                    throw failure("cannot read attributes of " + p, e);
                }
            });
        } catch (IOException e) {
            throw failure("cannot list " + dir, e);
        } catch (java.io.UncheckedIOException e) {
            throw failure("cannot list " + dir, e.getCause());
        }
        out.sort(Comparator.comparing(SourceFile::path));
        return out;
    }

    @Override
    public List<String> directories(String directory) {
        Path dir = resolve(directory);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw failure("cannot list " + dir, e);
        }
    }

    @Override
    public Optional<SourceFile> stat(String path) {
        try {
            BasicFileAttributes a = Files.readAttributes(resolve(path), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? Optional.of(new SourceFile(path, a.size())) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw failure("cannot stat " + path + " in " + id(), e);
        }
    }

    @Override
    public InputStream open(String path) {
        try {
            return Files.newInputStream(resolve(path));
        } catch (NoSuchFileException e) {
            throw new NotFoundException("no file " + path + " in the pgBackRest repository " + id());
        } catch (IOException e) {
            throw failure("cannot open " + path + " in " + id(), e);
        }
    }

    private RepositoryException failure(String what, IOException e) {
        return new RepositoryException(what + ": " + e + " (the mirror reads the repository directly: run it as the "
                + "repository's owner or a member of its group)", e);
    }

    @Override
    public String toString() {
        return "SourceRepo[" + id() + "]";
    }
}
