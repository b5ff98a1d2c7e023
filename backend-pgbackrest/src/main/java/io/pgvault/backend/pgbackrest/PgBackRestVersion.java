package io.pgvault.backend.pgbackrest;

import io.pgvault.api.ErrorCode;
import io.pgvault.api.ToolException;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pgBackRest version {@code pgbackrest version} reports, and whether pgvault accepts it.
 *
 * @param raw      the output, stripped, e.g. {@code pgBackRest 2.45}
 * @param major    the major version, e.g. 2
 * @param minor    the minor version, e.g. 45
 * @param upstream whether the output has upstream pgBackRest's exact form (forks usually add a suffix or rename)
 * @param warnings why the version is accepted with reservations (newer than tested, a fork under
 *                 {@link VersionPolicy#LENIENT}); empty when it is a tested version
 * @since 0.1.0
 */
public record PgBackRestVersion(String raw, int major, int minor, boolean upstream, List<String> warnings) {

    /**
     * The oldest version pgvault drives: 2.33 introduced multiple repositories ({@code repoN-*}, {@code --repo}).
     *
     * @since 0.1.0
     */
    public static final String MINIMUM = "2.33";
    /**
     * The newest version pgvault's integration tests run against (2.45 until 0.6.0, 2.55 in 0.6.0); all of them are
     * {@link #TESTED_VERSIONS}.
     *
     * @since 0.1.0
     */
    public static final String TESTED = "2.60";
    /**
     * The major.minor versions pgvault's integration tests run against, oldest first: 2.45 (Debian 12's), 2.55
     * (Debian 13's 2.55.1) and 2.60 (Debian testing's 2.60.0); any patch level of them counts as tested. The README's
     * compatibility table says what ran on which.
     *
     * @since 0.6.0
     */
    public static final List<String> TESTED_VERSIONS = List.of("2.45", "2.55", "2.60");

    private static final Pattern UPSTREAM = Pattern.compile("pgBackRest (\\d+)\\.(\\d+)(?:\\.\\d+)?");
    private static final Pattern ANY = Pattern.compile("(\\d+)\\.(\\d+)");
    private static final int MIN_MINOR = 33;
    private static final int NEWEST_TESTED_MINOR = 60;

    /** Validates and copies the components. */
    public PgBackRestVersion {
        Objects.requireNonNull(raw, "raw");
        warnings = List.copyOf(warnings);
    }

    /**
     * @return e.g. {@code 2.45}
     * @since 0.1.0
     */
    public String number() {
        return major + "." + minor;
    }

    /**
     * @param otherMajor a major version
     * @param otherMinor a minor version
     * @return whether this version is {@code otherMajor.otherMinor} or later; options that only newer pgBackRest
     *         versions accept are checked with it when the configuration is written
     * @since 0.2.0
     */
    public boolean atLeast(int otherMajor, int otherMinor) {
        return major > otherMajor || (major == otherMajor && minor >= otherMinor);
    }

    /**
     * @param output what {@code pgbackrest version} printed
     * @param policy how unknown versions are treated
     * @return the accepted version, with any warnings
     * @throws ToolException (TOOL_FAILED) naming the version and why it is refused
     * @since 0.1.0
     */
    public static PgBackRestVersion parse(String output, VersionPolicy policy) {
        String raw = output == null ? "" : output.strip();
        Matcher up = UPSTREAM.matcher(raw);
        boolean upstream = up.matches();
        Matcher any = upstream ? up : ANY.matcher(raw);
        if (!upstream && !any.find()) {
            throw refuse(raw, "it reports no version number");
        }
        int major = Integer.parseInt(any.group(1));
        int minor = Integer.parseInt(any.group(2));
        List<String> warnings = new ArrayList<>();
        if (!upstream) {
            if (policy != VersionPolicy.LENIENT) {
                throw refuse(raw, "this is not upstream pgBackRest's version output (a fork or a wrapper?); "
                        + "vet it and use VersionPolicy.LENIENT to accept it");
            }
            warnings.add("'" + raw + "' is not upstream pgBackRest; accepted because the version policy is lenient");
        }
        boolean older = major < 2 || (major == 2 && minor < MIN_MINOR);
        if (older && policy != VersionPolicy.LENIENT) {
            throw refuse(raw, "pgvault needs pgBackRest " + MINIMUM + " or later (multi-repo support)");
        }
        boolean newer = major > 2 || (major == 2 && minor > NEWEST_TESTED_MINOR);
        boolean tested = TESTED_VERSIONS.contains(major + "." + minor);
        String testedList = String.join(", ", TESTED_VERSIONS);
        if (policy == VersionPolicy.STRICT && !tested) {
            throw refuse(raw, "the version policy is strict and pgvault is tested with pgBackRest " + testedList);
        }
        if (newer) {
            warnings.add("pgBackRest " + major + "." + minor + " is newer than " + TESTED
                    + ", the newest version pgvault is tested with; its options and info JSON may differ");
        } else if (!tested && !older) {
            warnings.add("pgBackRest " + major + "." + minor + " is not one of the versions pgvault is tested with ("
                    + testedList + "); its options and info JSON may differ");
        } else if (older) {
            warnings.add("pgBackRest " + major + "." + minor + " is older than " + MINIMUM + "; accepted because "
                    + "the version policy is lenient");
        }
        return new PgBackRestVersion(raw, major, minor, upstream, warnings);
    }

    private static ToolException refuse(String raw, String why) {
        return new ToolException(ErrorCode.TOOL_FAILED, "pgbackrest", 0, "",
                "refusing pgBackRest '" + raw + "': " + why, null);
    }
}
