package dev.edgeline.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceStoreTest {
    @TempDir
    Path state;

    @Test
    void numbers_increase_andNeverRepeat_acrossRestarts() throws IOException {
        SequenceStore first = new SequenceStore(state, "door");
        long a = first.next();
        long b = first.next();
        // A restart (or a crash: nothing more is written per number) continues past every number handed out.
        SequenceStore second = new SequenceStore(state, "door");
        long c = second.next();
        assertThat(a).isZero();
        assertThat(b).isEqualTo(1);
        assertThat(c).isGreaterThan(b).isEqualTo(SequenceStore.BLOCK);
    }

    @Test
    void streams_haveIndependentNumbers() throws IOException {
        assertThat(new SequenceStore(state, "a").next()).isZero();
        assertThat(new SequenceStore(state, "b").next()).isZero();
    }

    @Test
    void damagedFile_isReported_notReadAsZero() throws IOException {
        Files.createDirectories(state.resolve("seq"));
        Files.writeString(state.resolve("seq/door.next"), "garbage");
        assertThatThrownBy(() -> new SequenceStore(state, "door")).hasMessageContaining("refusing to reuse");
    }
}
