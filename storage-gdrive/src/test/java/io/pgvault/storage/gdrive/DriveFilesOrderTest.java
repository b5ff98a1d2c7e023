package io.pgvault.storage.gdrive;

import com.google.api.client.util.DateTime;
import com.google.api.services.drive.model.File;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which of several files of one key is the object: decided by what Drive's servers stamped, not by the writers. */
class DriveFilesOrderTest {
    private static File file(String id, String writerClock, long serverMillis) {
        File f = new File().setId(id).setName("manifests/x.json").setModifiedTime(new DateTime(serverMillis));
        if (writerClock != null) {
            f.setAppProperties(Map.of(DriveFiles.COMMIT, writerClock, DriveFiles.SHA256, "00"));
        }
        return f;
    }

    @Test
    @DisplayName("the commit Drive stamped later wins, even when its writer's clock ran hours behind the other's")
    void serverTimeWins() {
        File aheadWriterFirst = file("a", "01790000000000000-00000001", 1_000_000L); // writer clock 3 h ahead
        File laterCommit = file("b", "01780000000000000-00000002", 2_000_000L);
        assertThat(DriveFiles.winner(List.of(aheadWriterFirst, laterCommit))).containsSame(laterCommit);
        assertThat(DriveFiles.winner(List.of(laterCommit, aheadWriterFirst))).containsSame(laterCommit);
    }

    @Test
    @DisplayName("a file pgvault did not commit never wins over one it did, whatever its time; ties go by file id")
    void foreignLosesAndTiesById() {
        File committed = file("a", "0", 1_000L);
        File foreign = file("z", null, 9_000_000L);
        assertThat(DriveFiles.winner(List.of(foreign, committed))).containsSame(committed);
        File tieA = file("m", "1", 5_000L);
        File tieB = file("n", "0", 5_000L);
        assertThat(DriveFiles.winner(List.of(tieA, tieB))).containsSame(tieB);
    }
}
