package io.pgvault.examples;

import io.pgvault.api.Compression;

import java.nio.file.Path;

/**
 * The benchmark's command line.
 *
 * @param megabytes size of the table in MiB ({@code --mb}, default 400)
 * @param rounds    rounds of measurements ({@code --rounds}, default 3)
 * @param workers   zstd worker threads for pgvault ({@code --workers}); -1 (the default): pgvault's own default,
 *                  {@link io.pgvault.api.Compression#zstd()}
 * @param workDir   where dumps and repositories go ({@code --work-dir}); null: a temporary directory, deleted after
 * @param profile   whether {@link PipelineProfile} runs at the end (default; {@code --no-profile} skips it)
 */
record BenchmarkOptions(int megabytes, int rounds, int workers, Path workDir, boolean profile) {
    /** @return the compression pgvault is measured with: zstd level 3 with these workers */
    Compression compression() {
        return workers < 0 ? Compression.zstd() : Compression.zstd(3, workers);
    }

    static BenchmarkOptions parse(String[] args) {
        int mb = 400;
        int rounds = 3;
        int workers = -1;
        Path dir = null;
        boolean profile = true;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--no-profile")) {
                profile = false;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            String value = args[++i];
            switch (name) {
                case "--mb" -> mb = Integer.parseInt(value);
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--workers" -> workers = Integer.parseInt(value);
                case "--work-dir" -> dir = Path.of(value).toAbsolutePath();
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        if (mb < 1 || rounds < 1 || workers < -1) {
            throw new IllegalArgumentException("--mb and --rounds must be at least 1, --workers at least 0");
        }
        return new BenchmarkOptions(mb, rounds, workers, dir, profile);
    }
}
