package io.pgvault.backend.pgbackrest.mirror;

import io.pgvault.api.BackupId;
import io.pgvault.api.ConfigurationException;
import io.pgvault.api.IntegrityException;
import io.pgvault.api.NotFoundException;
import io.pgvault.api.RepositoryException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;

import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Downloads mirrored sets into a local posix pgBackRest repository, checking every file's digest. */
final class Materializer {
    private final TargetStore store;
    private final Optional<String> owner;

    Materializer(TargetStore store, Optional<String> owner) {
        this.store = store;
        this.owner = owner;
    }

    MaterializedRepo materialize(Path directory, Collection<BackupId> asked) {
        long t0 = System.nanoTime();
        Path root = directory.toAbsolutePath().normalize();
        Map<String, MirroredSet> held = new LinkedHashMap<>();
        store.sets().forEach(s -> held.put(s.label(), s));
        Set<String> closure = closure(asked.isEmpty() ? List.copyOf(held.keySet())
                : asked.stream().map(BackupId::value).toList(), held);
        List<MirroredFile> info = infoFiles(closure, held);
        Map<String, MirroredFile> files = new LinkedHashMap<>();
        for (String label : closure) {
            MirroredSet set = held.get(label);
            for (MirroredFile f : set.files()) {
                add(files, f, label);
            }
            for (MirroredFile f : set.wal()) {
                add(files, f, label);
            }
        }
        for (MirroredFile f : info) {
            files.put(f.path(), f);
        }
        int downloaded = 0;
        int present = 0;
        long bytes = 0;
        try {
            Files.createDirectories(root);
            refuseLinks(root);
            for (MirroredFile f : files.values()) {
                if (fetch(root, f)) {
                    downloaded++;
                    bytes += f.size();
                } else {
                    present++;
                }
            }
            fixPermissions(root);
        } catch (IOException e) {
            throw new RepositoryException("cannot write the local repository " + root + ": " + e, e);
        }
        List<BackupId> sets = held.values().stream().filter(s -> closure.contains(s.label())).map(MirroredSet::id)
                .toList();
        return new MaterializedRepo(root, store.stanza, sets, downloaded, present, bytes,
                Duration.ofNanos(System.nanoTime() - t0));
    }

    /** Adds a file; two sets may share a path only with the same bytes. */
    private void add(Map<String, MirroredFile> files, MirroredFile f, String label) {
        MirroredFile before = files.putIfAbsent(f.path(), f);
        if (before != null && !before.sameContent(f)) {
            throw new IntegrityException("mirrored set " + label + " lists " + f.path() + " with other bytes than "
                    + "another set asked for (sha256 " + f.sha256() + " and " + before.sha256() + "): they cannot "
                    + "share one repository; materialize them into separate directories");
        }
    }

    /**
     * The info files for the sets: those the newest set was mirrored with. Sets of different incarnations (another
     * system identifier, or another repository or stanza creation with its own cipher sub-passphrase) cannot share
     * them and are refused together; sets mirrored before 0.2.0 have none of their own and use the mirror's shared
     * info record. pgBackRest's {@code expire} then adds the older sets of the same incarnation that the snapshot
     * does not list ({@link MaterializedRepo#forgetAbsentSets}).
     */
    private List<MirroredFile> infoFiles(Set<String> closure, Map<String, MirroredSet> held) {
        List<MirroredSet> sets = closure.stream().map(held::get)
                .sorted(java.util.Comparator.comparing(MirroredSet::startedAt).thenComparing(MirroredSet::label))
                .toList();
        Map<String, List<String>> incarnations = new java.util.TreeMap<>();
        // a set mirrored before 0.2.0 joins newer sets only when one of them is taken against it (a DIFF mirrored
        // after the upgrade on a full mirrored before); otherwise it is an incarnation of its own
        Set<String> basesOfNew = closure(sets.stream().filter(s -> !s.info().isEmpty()).map(MirroredSet::label)
                .toList(), held);
        sets.stream().filter(s -> !s.info().isEmpty() || !basesOfNew.contains(s.label()))
                .forEach(s -> incarnations.computeIfAbsent(s.incarnation(), k -> new ArrayList<>()).add(s.label()));
        if (incarnations.size() > 1) {
            throw new ConfigurationException("the sets asked for come from " + incarnations.size() + " incarnations "
                    + "of stanza " + store.stanza + " (the stanza was created again, or they come from repositories "
                    + "with different cipher passphrases): " + incarnations.values() + "; materialize each group into "
                    + "a directory of its own and restore from each with its own configuration");
        }
        Optional<MirroredSet> newest = sets.stream().filter(s -> !s.info().isEmpty()).reduce((a, b) -> b);
        if (newest.isPresent()) {
            return newest.get().info();
        }
        return store.info().orElseThrow(() -> new IntegrityException("the mirror in " + store.repository.id()
                + " has no info record " + store.infoKey() + " for sets " + closure + " (mirrored before 0.2.0): "
                + "it was damaged")).files();
    }

    private Set<String> closure(List<String> labels, Map<String, MirroredSet> held) {
        Set<String> out = new TreeSet<>();
        Deque<String> todo = new ArrayDeque<>(labels);
        while (!todo.isEmpty()) {
            String l = todo.pop();
            MirroredSet s = held.get(l);
            if (s == null) {
                if (labels.contains(l)) {
                    throw new NotFoundException("the mirror in " + store.repository.id() + " holds no set " + l
                            + " of stanza " + store.stanza + "; it holds " + held.keySet());
                }
                throw new IntegrityException("mirrored set(s) " + labels + " reference " + l
                        + ", which the mirror in " + store.repository.id() + " does not hold");
            }
            if (out.add(l)) {
                todo.addAll(s.references());
                s.prior().ifPresent(todo::add);
            }
        }
        return out;
    }

    /** @return whether the file was downloaded (false: already present with the right digest) */
    private boolean fetch(Path root, MirroredFile f) throws IOException {
        Path target = root.resolve(f.path()).normalize();
        if (!target.startsWith(root) || target.equals(root)) {
            throw new ConfigurationException("mirrored path '" + f.path() + "' leaves " + root);
        }
        for (Path p = target.getParent(); p.startsWith(root) && !p.equals(root); p = p.getParent()) {
            if (Files.isSymbolicLink(p)) {
                throw planted(p);
            }
        }
        if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) == f.size()
                && Digests.of(Files.newInputStream(target, LinkOption.NOFOLLOW_LINKS), target.toString()).sha256()
                .equals(f.sha256())) {
            return false;
        }
        Files.createDirectories(target.getParent());
        Path part = target.resolveSibling("." + target.getFileName() + ".part");
        Files.deleteIfExists(part); // a link or a left-over is removed itself, never followed
        String key = store.objectKey(f);
        Digests.Sum got;
        try (InputStream in = store.repository.open(key); OutputStream out = Files.newOutputStream(part,
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            got = Digests.copy(in, out);
        } catch (NotFoundException e) {
            Files.deleteIfExists(part);
            throw new IntegrityException("the mirror in " + store.repository.id() + " lacks " + key
                    + ", which its records list: the mirror is damaged; run mirror() again while the source still "
                    + "holds the set, or restore from another copy", e);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(part);
            throw e;
        }
        if (got.size() != f.size() || !got.sha256().equals(f.sha256())) {
            Files.deleteIfExists(part);
            throw new IntegrityException("mirrored file " + key + " in " + store.repository.id()
                    + " does not match its record: expected " + f.size() + " bytes with sha256 " + f.sha256()
                    + ", read " + got.size() + " bytes with sha256 " + got.sha256() + ". The mirror's copy is damaged: "
                    + "run mirror() again while the source still holds the set, or restore from another copy");
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return true;
    }

    /**
     * pgBackRest's own modes (0750 directories, 0640 files), given to the owner when one is set. Nothing is followed:
     * the modes and owner are set on each path itself ({@code lchown}), and a symbolic link, which only someone else
     * can have put there, is refused (root would otherwise hand the link's target, say {@code /etc/shadow}, to the
     * server's user).
     */
    private void fixPermissions(Path root) throws IOException {
        UserPrincipal user = owner.isPresent()
                ? FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(owner.get()) : null;
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.forEach(all::add);
        }
        for (Path p : all) {
            if (Files.isSymbolicLink(p)) {
                throw planted(p);
            }
            boolean dir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
            PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            view.setPermissions(PosixFilePermissions.fromString(dir ? "rwxr-x---" : "rw-r-----"));
            if (user != null) {
                view.setOwner(user);
            }
        }
    }

    /** Refuses a directory that holds a symbolic link anywhere below it, before anything is written. */
    private static void refuseLinks(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            Optional<Path> link = s.filter(Files::isSymbolicLink).findFirst();
            if (link.isPresent()) {
                throw planted(link.get());
            }
        }
    }

    private static IntegrityException planted(Path link) {
        return new IntegrityException("the materialize directory holds a symbolic link, " + link + ": materialize "
                + "follows no link and changes the owner of nothing outside the directory; remove it (someone with "
                + "write access to the directory put it there) and run materialize again");
    }
}
