package dev.edgeline.broker.receipts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.broker.crash.ChildJvm;
import dev.edgeline.broker.spool.Spool.DurableMark;
import dev.edgeline.broker.spool.Spool.StreamId;
import dev.edgeline.broker.spool.Spool.StreamMark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process SIGKILLed inside a receipts update leaves its Chronicle Map segment locked for every process (the lock is
 * a word in the mapped file). Before this was handled, every later update, {@code /metrics} scrape and shutdown of the
 * other services waited 60 s on it and then failed, for good. Here a real child JVM is killed holding such a lock.
 */
@Timeout(120)
class ReceiptsLockHolderKilledIT {
    private static final String DEVICE = "pi-7";

    @TempDir
    Path dir;

    @Test
    void aBrokerKilledInsideAnUpdate_whileTheBridgeRuns_theBridgeReplacesTheFile_andTheRestartedBrokerUsesIt()
            throws Exception {
        try (StreamReceipts bridge = StreamReceipts.open(dir)) {
            bridge.committed(Map.of(stream("door"), new StreamMark(1, 3)));
            bridge.flush();
            Object before = fileKey();
            killWhileHoldingTheLockOf("temperature", "humidity", "temperature");

            try (StreamReceipts status = StreamReceipts.openToRead(dir)) {
                assertThat(byStream(status.snapshot())).as("a reader leaves the locked segment's streams out")
                        .doesNotContainKey("temperature");
            }
            long started = System.nanoTime();
            bridge.committed(Map.of(stream("temperature"), new StreamMark(1, 9)));
            bridge.flush();
            System.out.printf("a commit to the segment a dead process locked was written after %.1f s%n",
                    (System.nanoTime() - started) / 1e9);

            assertThat(fileKey()).as("the file was replaced").isNotEqualTo(before);
            Map<String, StreamReceipts.Receipt> seen = byStream(bridge.snapshot());
            assertThat(seen.get("temperature").committedSeq()).isEqualTo(9);
            assertThat(seen.get("door").committedSeq()).as("this process's marks go into the new file").isEqualTo(3);

            try (StreamReceipts restartedBroker = StreamReceipts.open(dir)) {
                restartedBroker.ingested(Map.of(stream("temperature"), new DurableMark("telemetry", 1, 12)));
                restartedBroker.flush();
            }
            bridge.committed(Map.of(stream("temperature"), new StreamMark(1, 10)));
            bridge.flush();
        }
        try (StreamReceipts status = StreamReceipts.openToRead(dir)) {
            StreamReceipts.Receipt temperature = byStream(status.snapshot()).get("temperature");
            assertThat(temperature.ingestedSeq()).isEqualTo(12);
            assertThat(temperature.committedSeq()).as("the bridge still writes into the file the broker uses")
                    .isEqualTo(10);
            assertThat(temperature.lagRecords()).isEqualTo(2);
        }
        Path link = dir.resolve(StreamReceipts.FILE);
        assertThat(link).isSymbolicLink();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList())
                    .as("the name and the one generation it leads to; nothing else left behind")
                    .containsExactlyInAnyOrder(StreamReceipts.FILE, link.toRealPath().getFileName().toString());
        }
    }

    @Test
    void aFileLeftLockedByACrash_isRepairedAtTheNextStart_keepingEveryReadableReceipt() throws Exception {
        List<String> streams = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            streams.add("s" + i);
        }
        List<String> args = new ArrayList<>(streams);
        args.add("s39");
        killWhileHoldingTheLockOf(args.toArray(String[]::new));
        Map<String, byte[]> readable;
        try (ReceiptsFile crashed = ReceiptsFile.open(dir.resolve(StreamReceipts.FILE), StreamReceipts.MAX_STREAMS,
                StreamReceipts.VALUE_BYTES)) {
            ReceiptsFile.Readout readout = crashed.read();
            assertThat(readout.lockedSegments()).isEqualTo(1);
            readable = readout.entries();
        }
        assertThat(readable).as("what the dead process's lock hides").doesNotContainKey(DEVICE + "/s39")
                .isNotEmpty();

        try (StreamReceipts broker = StreamReceipts.open(dir)) {
            broker.flush();
            Map<String, StreamReceipts.Receipt> seen = byStream(broker.snapshot());
            assertThat(seen.keySet()).as("every receipt that could be read, kept")
                    .containsExactlyInAnyOrderElementsOf(readable.keySet().stream()
                            .map(key -> key.substring(DEVICE.length() + 1)).toList());
            assertThat(seen.values()).allSatisfy(receipt -> assertThat(receipt.committedSeq()).isEqualTo(5));
            broker.ingested(Map.of(stream("s39"), new DurableMark("telemetry", 1, 8)));
            broker.flush();
            assertThat(byStream(broker.snapshot()).get("s39").ingestedSeq()).isEqualTo(8);
        }
    }

    private void killWhileHoldingTheLockOf(String... streams) throws Exception {
        List<String> args = new ArrayList<>(List.of(dir.toString(), DEVICE));
        args.addAll(List.of(streams));
        try (ChildJvm holder = ChildJvm.start(LockHolderProcessMain.class, args.toArray(String[]::new))) {
            holder.awaitLine("LOCKED " + DEVICE + "/" + streams[streams.length - 1], Duration.ofSeconds(60));
            holder.kill();
        }
    }

    private static StreamId stream(String name) {
        return new StreamId(DEVICE, name);
    }

    private static Map<String, StreamReceipts.Receipt> byStream(List<StreamReceipts.Receipt> receipts) {
        return receipts.stream().collect(Collectors.toMap(StreamReceipts.Receipt::stream, Function.identity()));
    }

    private Object fileKey() throws java.io.IOException {
        return Files.readAttributes(dir.resolve(StreamReceipts.FILE), BasicFileAttributes.class).fileKey();
    }
}
