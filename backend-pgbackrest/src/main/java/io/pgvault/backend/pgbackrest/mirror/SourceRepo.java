package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.spi.Repository;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Read access to the files of a pgBackRest repository, by paths relative to the repository's root ({@code repoN-path}):
 * {@code backup/<stanza>/...} and {@code archive/<stanza>/...}. A {@link PgBackRestMirror} reads the files it copies
 * through this, byte for byte, without pgBackRest (an encrypted repository's files stay encrypted).
 *
 * <p>{@link #posix(Path)} reads a posix repository directly (the reading process needs read access to it: run as the
 * repository's owner or a member of its group); {@link #of(Repository, String)} reads a repository pgBackRest writes
 * to object storage (an {@code S3Repository} over the same bucket) through pgvault's {@link Repository} SPI.
 *
 * @since 0.2.0
 */
public interface SourceRepo {

    /**
     * @return a secret-free description, e.g. {@code posix:/var/lib/pgbackrest}
     * @since 0.2.0
     */
    String id();

    /**
     * @param directory a directory path relative to the root, e.g. {@code backup/main/20261121-101010F}
     * @param recursive whether to list files in subdirectories too
     * @return the files under it, sorted by path; empty when it does not exist
     * @since 0.2.0
     */
    List<SourceFile> list(String directory, boolean recursive);

    /**
     * @param directory a directory path relative to the root
     * @return the names of its immediate subdirectories, sorted; empty when it does not exist
     * @since 0.2.0
     */
    List<String> directories(String directory);

    /**
     * @param path a file path relative to the root
     * @return the file, when it exists
     * @since 0.2.0
     */
    Optional<SourceFile> stat(String path);

    /**
     * @param path a file path relative to the root
     * @return its bytes; the caller closes the stream
     * @throws io.pgvault.api.NotFoundException when there is no such file
     * @since 0.2.0
     */
    InputStream open(String path);

    /**
     * @param root the posix repository's root directory ({@code repoN-path})
     * @return a source reading it directly
     * @since 0.2.0
     */
    static SourceRepo posix(Path root) {
        return new PosixSource(root);
    }

    /**
     * @param repository a repository whose keys hold a pgBackRest repository (e.g. an {@code S3Repository} over the
     *                   bucket pgBackRest writes to)
     * @param prefix     the key prefix of the pgBackRest repository's root ({@code repoN-path} without the leading
     *                   {@code /}; {@code ""} for the repository's root)
     * @return a source reading through the repository
     * @since 0.2.0
     */
    static SourceRepo of(Repository repository, String prefix) {
        return new RepositorySource(repository, prefix);
    }
}
