package dev.edgeline.benchmarks;

import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.broker.spool.Spool;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.SpoolConfig;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Durable append throughput: each benchmark thread appends a 200-byte record and waits until it is fsynced, as a
 * publisher waits for its PUBACK. Threads share fsyncs through group commit. Run by {@link SpoolBenchmarkMain} with
 * 1, 4, 16 and 64 threads; the spool's counters give the average batch per fsync for the raw-disk comparison.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SpoolAppendBenchmark {
    static final int PAYLOAD_BYTES = 200;
    private final AtomicLong seq = new AtomicLong();
    private WorkDirectory directory;
    private Spool spool;
    private byte[] payload;

    @Setup(Level.Trial)
    public void open() throws IOException {
        directory = new WorkDirectory("spool-bench-");
        spool = SegmentedFileSpool.open(SpoolConfig.singleLane(directory.path(), 64L << 20, 64L << 30), "bench-pi",
                java.time.InstantSource.system());
        payload = new byte[PAYLOAD_BYTES];
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        var counters = spool.counters();
        spool.close();
        // Read by SpoolBenchmarkMain from the forked JVM's output.
        System.out.println("SPOOL-COUNTERS appended=" + counters.appended() + " fsyncs=" + counters.fsyncs());
        directory.close();
    }

    @Benchmark
    public Object appendAndAwaitDurable() {
        long s = seq.getAndIncrement();
        return spool.append(SpoolConfig.DEFAULT_LANE, new SpoolRecord("bench-pi", "stream-" + (s & 15), 1, s >>> 4, "edge/bench-pi/s", true, s,
                payload)).join();
    }
}
