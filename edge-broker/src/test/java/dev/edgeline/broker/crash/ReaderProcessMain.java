package dev.edgeline.broker.crash;

import dev.edgeline.broker.spool.FileSpoolReader;
import dev.edgeline.broker.spool.SpooledRecord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Child process for the cross-process reader test: follows a spool written by another process and prints
 * {@code lane stream seq} per record until it has seen {@code args[1]} records, committing as it goes.
 */
public final class ReaderProcessMain {
    private ReaderProcessMain() {}

    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[0]);
        long expected = Long.parseLong(args[1]);
        long seen = 0;
        try (FileSpoolReader reader = FileSpoolReader.openFromOtherProcess(directory, "other-process")) {
            System.out.println("READY");
            System.out.flush();
            long idleSince = System.nanoTime();
            while (seen < expected && System.nanoTime() - idleSince < Duration.ofSeconds(60).toNanos()) {
                List<SpooledRecord> batch = reader.poll(500, Duration.ofMillis(200));
                if (batch.isEmpty()) {
                    continue;
                }
                idleSince = System.nanoTime();
                StringBuilder out = new StringBuilder();
                for (SpooledRecord r : batch) {
                    out.append(r.lane()).append(' ').append(r.record().stream()).append(' ')
                            .append(r.record().seq()).append('\n');
                }
                System.out.print(out);
                System.out.flush();
                reader.commit(batch);
                seen += batch.size();
            }
        }
        System.out.println("DONE " + seen);
        System.out.flush();
    }
}
