package dev.edgeline.broker.receipts;

import dev.edgeline.broker.spool.Spool.StreamId;
import dev.edgeline.broker.spool.Spool.StreamMark;
import java.nio.file.Path;
import java.util.Map;

/**
 * Child JVM for {@link ReceiptsLockHolderKilledIT}: writes a committed mark (boot 1, seq 5) for each stream of device
 * {@code <device>} named on the command line into {@code <dir>/receipts.cmap}, then blocks inside an update of the
 * last one, holding its segment's inter-process lock, until it is killed: a process that loses power inside an update.
 *
 * <p>Args: {@code <dir> <device> <stream>...}; prints {@code LOCKED <device>/<stream>} once it holds the lock.
 */
public final class LockHolderProcessMain {
    private LockHolderProcessMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String device = args[1];
        try (StreamReceipts receipts = StreamReceipts.open(dir)) {
            for (int i = 2; i < args.length; i++) {
                receipts.committed(Map.of(new StreamId(device, args[i]), new StreamMark(1, 5)));
            }
            receipts.flush();
        }
        ReceiptsFile file = ReceiptsFile.open(dir.resolve(StreamReceipts.FILE), StreamReceipts.MAX_STREAMS,
                StreamReceipts.VALUE_BYTES);
        file.compute(device + "/" + args[args.length - 1], (key, stored) -> {
            System.out.println("LOCKED " + key);
            System.out.flush();
            try {
                Thread.sleep(600_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return stored;
        });
    }
}
