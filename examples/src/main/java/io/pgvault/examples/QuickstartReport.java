package io.pgvault.examples;

import io.pgvault.api.BackupSet;
import io.pgvault.api.VerifyResult;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;

/**
 * The quickstart's closing summary: what was backed up, how big, how long each step took, whether the restore was
 * proven identical.
 *
 * @param set         the new backup set
 * @param backupTime  wall time of the backup
 * @param verify      the deep verification's result
 * @param verifyTime  its wall time
 * @param restoreTime wall time of the restore, if it ran
 * @param proof       the comparison of source and restored database, if it ran
 * @param proofTime   its wall time
 */
record QuickstartReport(BackupSet set, Duration backupTime, VerifyResult verify, Duration verifyTime,
        Optional<Duration> restoreTime, Optional<RestoreProof.Result> proof, Optional<Duration> proofTime) {

    QuickstartReport(BackupSet set, Duration backupTime, VerifyResult verify, Duration verifyTime) {
        this(set, backupTime, verify, verifyTime, Optional.empty(), Optional.empty(), Optional.empty());
    }

    QuickstartReport withRestore(Duration restore, RestoreProof.Result result, Duration proofDuration) {
        return new QuickstartReport(set, backupTime, verify, verifyTime, Optional.of(restore), Optional.of(result),
                Optional.of(proofDuration));
    }

    /** @return PASS only when the set verified and the restore was proven identical */
    boolean passed() {
        return verify.ok() && proof.map(RestoreProof.Result::passed).orElse(false);
    }

    /**
     * Prints the summary.
     *
     * @return the exit code: 0 for PASS, 1 for FAIL
     */
    int print(PrintStream out) {
        out.println();
        out.println("report");
        out.printf("  set          %s%n", set.id().value());
        out.printf("  size         %s dumped -> %s stored (compression ratio %s)%n", Units.bytes(set.logicalBytes()),
                Units.bytes(set.storedBytes()), Units.ratio(set.logicalBytes(), set.storedBytes()));
        out.printf("  durations    backup %s, verify %s, restore %s, proof %s%n", Units.seconds(backupTime),
                Units.seconds(verifyTime), restoreTime.map(Units::seconds).orElse("-"),
                proofTime.map(Units::seconds).orElse("-"));
        proof.ifPresent(r -> out.printf("  row counts   %d of %d tables match exactly (%s rows)%n", r.matchingCounts(),
                r.rowCounts().size(), Units.count(r.totalRows())));
        out.println("RESULT: " + (passed() ? "PASS" : "FAIL"));
        return passed() ? 0 : 1;
    }
}
