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

    @Test
    void afterTheMachineWentDown_theSkippedRangeIsKeptUntilDeclared_evenAcrossAnotherCut() throws IOException {
        SequenceStore first = new SequenceStore(state, "door", KERNEL_BOOT);
        first.next();
        first.next(); // 0 and 1 used; the reservation says 4096
        SequenceStore second = new SequenceStore(state, "door", NEXT_KERNEL_BOOT);
        assertThat(second.skipped()).hasValueSatisfying(r -> assertThat(r).containsExactly(0, SequenceStore.BLOCK - 1));
        assertThat(second.next()).isEqualTo(SequenceStore.BLOCK);
        // the machine goes down again before the declaration was stored: the next start still declares the first range
        SequenceStore third = new SequenceStore(state, "door", Optional.of(new UUID(7, 7)));
        assertThat(third.skipped()).hasValueSatisfying(r -> assertThat(r).containsExactly(0, 2 * SequenceStore.BLOCK - 1));
        third.skippedDeclared();
        assertThat(third.next()).isEqualTo(2 * SequenceStore.BLOCK);
        SequenceStore fourth = new SequenceStore(state, "door", Optional.of(new UUID(8, 8)));
        assertThat(fourth.skipped()).as("declared: only the new range")
                .hasValueSatisfying(r -> assertThat(r).containsExactly(2 * SequenceStore.BLOCK, 3 * SequenceStore.BLOCK - 1));
    }

    @Test
    void aCleanStop_skipsNothing_andAnAgentCrashNeither() throws IOException {
        SequenceStore first = new SequenceStore(state, "door", KERNEL_BOOT);
        first.next();
        first.close();
        assertThat(new SequenceStore(state, "door", NEXT_KERNEL_BOOT).skipped()).isEmpty();
        SequenceStore crashed = new SequenceStore(state, "door", NEXT_KERNEL_BOOT);
        crashed.next();
        assertThat(new SequenceStore(state, "door", NEXT_KERNEL_BOOT).skipped()).as("same kernel boot").isEmpty();
    }
}
