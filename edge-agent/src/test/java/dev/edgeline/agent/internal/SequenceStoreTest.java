package dev.edgeline.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceStoreTest {
    @TempDir
    Path state;

    private static final Optional<UUID> KERNEL_BOOT = Optional.of(UUID.randomUUID());
    private static final Optional<UUID> NEXT_KERNEL_BOOT = Optional.of(UUID.randomUUID());

    @Test
    void aCrashedAgent_restartedInTheSameKernelBoot_continuesWithoutAGap() throws IOException {
        SequenceStore first = new SequenceStore(state, "door", KERNEL_BOOT);
        assertThat(first.next()).isZero();
        assertThat(first.next()).isEqualTo(1);
        // Not closed: the process died. The page cache (and so the mapped file) is intact.
        SequenceStore second = new SequenceStore(state, "door", KERNEL_BOOT);
        assertThat(second.next()).isEqualTo(2);
        for (int i = 0; i < SequenceStore.BLOCK * 2; i++) {
            second.next();
        }
        assertThat(new SequenceStore(state, "door", KERNEL_BOOT).next()).isEqualTo(3 + 2 * SequenceStore.BLOCK);
    }

    @Test
    void afterTheMachineWentDownUncleanly_theStreamContinuesPastItsReservation_neverReusing() throws IOException {
        SequenceStore first = new SequenceStore(state, "door", KERNEL_BOOT);
        long a = first.next();
        long b = first.next();
        // Another kernel boot: what the mapped file says may be older than what was used; the reservation is safe.
        long c = new SequenceStore(state, "door", NEXT_KERNEL_BOOT).next();
        assertThat(a).isZero();
        assertThat(b).isEqualTo(1);
        assertThat(c).isGreaterThan(b).isEqualTo(SequenceStore.BLOCK);
    }

    @Test
    void aCleanStop_continuesExactly_evenAfterAReboot() throws IOException {
        SequenceStore first = new SequenceStore(state, "door", KERNEL_BOOT);
        first.next();
        first.next();
        first.close();
        assertThat(new SequenceStore(state, "door", NEXT_KERNEL_BOOT).next()).isEqualTo(2);
    }

    @Test
    void withoutAKernelBootId_everyRestartContinuesPastTheReservation() throws IOException {
        SequenceStore first = new SequenceStore(state, "door", Optional.empty());
        first.next();
        assertThat(new SequenceStore(state, "door", Optional.empty()).next()).isEqualTo(SequenceStore.BLOCK);
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
