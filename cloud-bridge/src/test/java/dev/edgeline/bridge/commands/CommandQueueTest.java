package dev.edgeline.bridge.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgeline.bridge.commands.CommandQueue.Admission;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandQueueTest {
    private static final long EPOCH = 7;
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final InstantSource clock = () -> Instant.ofEpochMilli(now.get());
    @TempDir
    Path dir;

    private CommandQueue open() throws IOException {
        return open(1 << 20, 1_000);
    }

    private CommandQueue open(long maxBytes, int remember) throws IOException {
        return CommandQueue.open(dir, EPOCH, maxBytes, remember, clock);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> ids(List<Command> commands) {
        return commands.stream().map(Command::id).toList();
    }

    @Test
    void acceptedCommands_survive_aReopen_inOrderPerTarget() throws IOException {
        try (CommandQueue queue = open()) {
            assertThat(queue.offer("a1", "relay", bytes("on"), Command.NEVER, true).admission())
                    .isEqualTo(Admission.ACCEPTED);
            queue.offer("b1", "sampling", bytes("{\"period\":\"5s\"}"), Command.NEVER, true);
            queue.offer("a2", "relay", bytes("off"), now.get() + 60_000, false);
            assertThat(ids(queue.heads())).containsExactly("a1", "b1");
        }
        try (CommandQueue queue = open()) {
            assertThat(queue.epoch()).isEqualTo(EPOCH);
            assertThat(ids(queue.heads())).containsExactly("a1", "b1");
            assertThat(queue.pendingCount()).isEqualTo(3);
            assertThat(queue.settle("a1", CommandState.COMPLETED, "", bytes("done"))).isPresent();
            assertThat(ids(queue.heads())).containsExactly("b1", "a2");
            Command a2 = queue.pendingCommand("a2").orElseThrow();
            assertThat(a2.payload()).isEqualTo(bytes("off"));
            assertThat(a2.responseRequired()).isFalse();
            assertThat(a2.expiresAtMillis()).isEqualTo(now.get() + 60_000);
            assertThat(a2.queueSeq()).isEqualTo(3);
        }
    }

    @Test
    void aCommandId_isExecutedOnce_andEndsInOneResult() throws IOException {
        try (CommandQueue queue = open()) {
            queue.offer("c1", "relay", bytes("on"), Command.NEVER, true);
            assertThat(queue.offer("c1", "relay", bytes("on"), Command.NEVER, true).admission())
                    .as("pending").isEqualTo(Admission.DUPLICATE);
            CommandResult result = queue.settle("c1", CommandState.REJECTED, "relay stuck", bytes("err")).orElseThrow();
            assertThat(result).isEqualTo(new CommandResult(1, "c1", "relay", CommandState.REJECTED, "relay stuck",
                    bytes("err"), now.get()));
            assertThat(queue.settle("c1", CommandState.COMPLETED, "", new byte[0])).as("second answer").isEmpty();
        }
        try (CommandQueue queue = open()) {
            assertThat(queue.offer("c1", "relay", bytes("on"), Command.NEVER, true).admission())
                    .as("settled, after a reopen").isEqualTo(Admission.DUPLICATE);
            assertThat(queue.pendingCount()).isZero();
            assertThat(queue.unforwarded()).extracting(CommandResult::commandId).containsExactly("c1");
        }
    }

    @Test
    void aFullQueue_rejectsWithAReason_andKeepsWhatItHas() throws IOException {
        try (CommandQueue queue = open(100, 1_000)) {
            assertThat(queue.offer("big1", "t", new byte[60], Command.NEVER, true).admission())
                    .isEqualTo(Admission.ACCEPTED);
            CommandQueue.Offer refused = queue.offer("big2", "t", new byte[60], Command.NEVER, true);
            assertThat(refused.admission()).isEqualTo(Admission.SETTLED);
            CommandResult result = refused.result().orElseThrow();
            assertThat(result.state()).isEqualTo(CommandState.REJECTED);
            assertThat(result.reason()).startsWith("queue full (").contains("65 of 100 bytes pending");
            assertThat(queue.offer("small", "t", new byte[10], Command.NEVER, true).admission())
                    .isEqualTo(Admission.ACCEPTED);
        }
        try (CommandQueue queue = open(100, 1_000)) {
            assertThat(ids(queue.heads())).containsExactly("big1");
            assertThat(queue.pendingCount()).isEqualTo(2);
            assertThat(queue.unforwarded()).extracting(CommandResult::commandId).containsExactly("big2");
            assertThat(queue.offer("big2", "t", new byte[1], Command.NEVER, true).admission())
                    .as("a refused id is settled: sending it again gets no second result")
                    .isEqualTo(Admission.DUPLICATE);
        }
    }

    @Test
    void timeToLive_endsCommandsAsExpired_inTheOrderTheyCame() throws IOException {
        try (CommandQueue queue = open()) {
            CommandQueue.Offer late = queue.offer("late", "t", bytes("x"), now.get() - 1, true);
            assertThat(late.result().orElseThrow().state()).isEqualTo(CommandState.EXPIRED);
            queue.offer("e2", "u", bytes("x"), now.get() + 2_000, true);
            queue.offer("e1", "t", bytes("x"), now.get() + 1_000, true);
            queue.offer("keep", "t", bytes("x"), now.get() + 10_000, true);
            now.addAndGet(1_000);
            assertThat(queue.expireDue()).extracting(CommandResult::commandId).containsExactly("e1");
            now.addAndGet(1_000);
            assertThat(queue.expireDue()).extracting(CommandResult::commandId).containsExactly("e2");
            assertThat(ids(queue.heads())).containsExactly("keep");
            assertThat(queue.unforwarded()).extracting(CommandResult::settleSeq).containsExactly(1L, 2L, 3L);
            assertThat(queue.unforwarded()).extracting(CommandResult::state).containsOnly(CommandState.EXPIRED);
        }
    }

    @Test
    void results_areNumberedInTheOrderCommandsEnd_andForwardedOnes_areNotReportedAgain() throws IOException {
        try (CommandQueue queue = open()) {
            for (int i = 1; i <= 4; i++) {
                queue.offer("r" + i, "t" + i, bytes("x"), Command.NEVER, true);
            }
            queue.settle("r3", CommandState.COMPLETED, "", bytes("3"));
            queue.settle("r1", CommandState.FAILED, "no subscriber", new byte[0]);
            queue.settle("r2", CommandState.DELIVERED, "", new byte[0]);
            queue.forwarded(2);
        }
        try (CommandQueue queue = open()) {
            assertThat(queue.unforwarded()).extracting(CommandResult::commandId).containsExactly("r2");
            CommandResult next = queue.settle("r4", CommandState.COMPLETED, "", new byte[0]).orElseThrow();
            assertThat(next.settleSeq()).isEqualTo(4);
            queue.forwarded(4);
            assertThat(queue.unforwarded()).isEmpty();
        }
    }

    @Test
    void aTornLastFrame_isCut_andEverythingBeforeItIsKept() throws IOException {
        try (CommandQueue queue = open()) {
            queue.offer("k1", "t", bytes("first"), Command.NEVER, true);
            queue.offer("k2", "t", bytes("second"), Command.NEVER, true);
        }
        Path file = dir.resolve(CommandQueue.FILE);
        byte[] whole = Files.readAllBytes(file);
        try (CommandQueue queue = open()) {
            queue.offer("k3", "t", bytes("third, torn"), Command.NEVER, true);
        }
        byte[] withThird = Files.readAllBytes(file);
        for (int cut = whole.length; cut < withThird.length; cut++) {
            Files.write(file, Arrays.copyOf(withThird, cut));
            try (CommandQueue queue = open()) {
                assertThat(queue.pendingCount()).as("cut at %d", cut).isEqualTo(2);
                assertThat(Files.size(file)).as("torn bytes removed").isEqualTo(whole.length);
                assertThat(queue.offer("k3", "t", bytes("again"), Command.NEVER, true).admission())
                        .isEqualTo(Admission.ACCEPTED);
            }
            try (CommandQueue queue = open()) {
                assertThat(queue.pendingCommand("k3").orElseThrow().payload()).as("cut at %d", cut)
                        .isEqualTo(bytes("again"));
            }
        }
    }

    @Test
    void damageInsideTheLog_losesOnlyTheDamagedFrame() throws IOException {
        long secondFrameStart;
        try (CommandQueue queue = open()) {
            queue.offer("d1", "t", bytes("one"), Command.NEVER, true);
            secondFrameStart = Files.size(dir.resolve(CommandQueue.FILE));
            queue.offer("d2", "t", bytes("two"), Command.NEVER, true);
            queue.offer("d3", "t", bytes("three"), Command.NEVER, true);
        }
        Path file = dir.resolve(CommandQueue.FILE);
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) secondFrameStart + 12] ^= 0x40;
        Files.write(file, bytes);
        try (CommandQueue queue = open()) {
            assertThat(queue.pendingCommand("d1")).isPresent();
            assertThat(queue.pendingCommand("d2")).isEmpty();
            assertThat(queue.pendingCommand("d3")).isPresent();
        }
    }

    @Test
    void aLogWithoutItsStartFrame_isRefused_namingTheFile() throws IOException {
        Files.write(dir.resolve(CommandQueue.FILE), new byte[] {1, 2, 3});
        assertThatThrownBy(this::open).isInstanceOf(IOException.class)
                .hasMessageContaining(dir.resolve(CommandQueue.FILE).toString())
                .hasMessageContaining("move it aside");
    }

    @Test
    void theLogIsRewritten_whenItGrows_withTheSameStateAfterward() throws IOException {
        byte[] payload = new byte[4_000];
        try (CommandQueue queue = open(1 << 20, 50)) {
            for (int i = 0; i < 500; i++) {
                queue.offer("w" + i, "t", payload, Command.NEVER, true);
                if (i >= 3) {
                    queue.settle("w" + (i - 3), CommandState.COMPLETED, "", bytes("ok " + i));
                }
                if (i % 10 == 0) {
                    queue.forwarded(queue.unforwarded().isEmpty() ? 0
                            : queue.unforwarded().get(queue.unforwarded().size() - 1).settleSeq() - 2);
                }
            }
            assertThat(Files.size(dir.resolve(CommandQueue.FILE))).as("rewritten, not 4 MB of history")
                    .isLessThan(1 << 20);
            assertThat(ids(queue.heads())).containsExactly("w497");
        }
        try (CommandQueue queue = open(1 << 20, 50)) {
            assertThat(queue.pendingCount()).isEqualTo(3);
            assertThat(ids(queue.heads())).containsExactly("w497");
            assertThat(queue.offer("w450", "t", payload, Command.NEVER, true).admission())
                    .as("remembered after the rewrite").isEqualTo(Admission.DUPLICATE);
            List<CommandResult> unforwarded = queue.unforwarded();
            assertThat(unforwarded).isNotEmpty();
            assertThat(unforwarded.get(unforwarded.size() - 1).settleSeq()).isEqualTo(497);
            assertThat(unforwarded).extracting(CommandResult::settleSeq).isSorted();
            assertThat(queue.settle("w499", CommandState.COMPLETED, "", new byte[0]).orElseThrow().settleSeq())
                    .isEqualTo(498);
        }
    }

    @Test
    void badTargetsAndIds_areNamed() {
        assertThat(Command.targetProblem("relay/1")).contains("'/' at index 5");
        assertThat(Command.targetProblem("")).contains("empty");
        assertThat(Command.idProblem("x".repeat(129))).contains("129 bytes, over the limit of 128");
        assertThat(Command.idProblem("a\nb")).contains("control character at index 1");
        assertThatThrownBy(() -> new Command("id", "#", 0, Command.NEVER, true, new byte[0], 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'#'");
    }
}
