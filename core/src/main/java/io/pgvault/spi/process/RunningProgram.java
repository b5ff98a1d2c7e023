package io.pgvault.spi.process;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The program a running process executes, as far as this process can see it. Usually that is the process's executable
 * ({@code /proc/PID/exe}); for a program started through the dynamic loader ({@code ld-linux-x86-64.so.2 [options]
 * PROGRAM ARGS}, as a wrapper does that runs a newer distribution's build with its own C library) the executable is the
 * loader, and the program is its first argument that is not one of the loader's options.
 *
 * @since 0.6.0
 */
public final class RunningProgram {
    /**
     * glibc's loader, by name: {@code ld-linux-x86-64.so.2}, {@code ld-linux-aarch64.so.1}, {@code ld.so}, and the
     * versioned file older glibc's links resolve to ({@code ld-2.31.so}).
     */
    private static final Pattern LOADER = Pattern.compile("ld(-linux[^/]*)?(-\\d+(\\.\\d+)*)?\\.so(\\.\\d+)*");
    /** The loader's options that take a value (glibc 2.33+). */
    private static final Set<String> WITH_VALUE = Set.of("--library-path", "--argv0", "--preload", "--audit",
            "--inhibit-rpath", "--glibc-hwcaps-prepend", "--glibc-hwcaps-mask");

    private RunningProgram() {
    }

    /**
     * @param process a process
     * @return the program it runs; empty when the process is gone or its executable is hidden (another user's,
     *         without privileges)
     * @since 0.6.0
     */
    public static Optional<Path> of(ProcessHandle process) {
        ProcessHandle.Info info = process.info();
        return of(info.command(), info.arguments().map(List::of).orElse(List.of()));
    }

    /**
     * @param command   the process's executable
     * @param arguments its arguments after the program name
     * @return the program: {@code command}, or for a loader its program argument (empty when that is missing)
     * @since 0.6.0
     */
    public static Optional<Path> of(Optional<String> command, List<String> arguments) {
        if (command.isEmpty()) {
            return Optional.empty();
        }
        Path executable = Path.of(command.get());
        Path name = executable.getFileName();
        if (name == null || !LOADER.matcher(name.toString()).matches()) {
            return Optional.of(executable);
        }
        for (int i = 0; i < arguments.size(); i++) {
            String a = arguments.get(i);
            if (WITH_VALUE.contains(a)) {
                i++;
            } else if (!a.startsWith("--")) {
                return Optional.of(Path.of(a));
            }
        }
        return Optional.empty();
    }

    /**
     * @param process a process
     * @param name    a program's file name, e.g. {@code pg_dump}
     * @return whether the process runs a program of that file name (through the loader or not)
     * @since 0.6.0
     */
    public static boolean named(ProcessHandle process, String name) {
        return of(process).map(Path::getFileName).map(n -> n.toString().equals(name)).orElse(false);
    }
}
