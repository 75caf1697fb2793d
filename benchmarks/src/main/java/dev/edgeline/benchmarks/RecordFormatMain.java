package dev.edgeline.benchmarks;

import java.util.Collection;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Record format benchmark ({@code bin/bench format}): records per second one thread of Kafka's client can put into
 * batches, in ProducerPerformance's format and in the bridge's, with zstd and without compression (JMH: 1 fork, 3 x
 * 2 s warmup, 5 x 2 s measurement), plus the wire bytes per record. It bounds the drain benchmark's ratio: both
 * producers pay this on their sending thread for every record, on the same CPU as the broker. Prints a table; no
 * pass/fail.
 */
public final class RecordFormatMain {
    private static final String[] FORMATS = {"producer-performance", "bridge"};
    private static final String[] COMPRESSIONS = {"zstd", "none"};

    private RecordFormatMain() {}

    public static void main(String[] args) throws RunnerException {
        Options options = new OptionsBuilder()
                .include(RecordFormatBenchmark.class.getSimpleName())
                .forks(1)
                .threads(1)
                .warmupIterations(3).warmupTime(TimeValue.seconds(2))
                .measurementIterations(5).measurementTime(TimeValue.seconds(2))
                .jvmArgsAppend("-Xmx512m")
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, double[]> rates = new HashMap<>();
        for (RunResult result : results) {
            String key = result.getParams().getParam("format") + "/" + result.getParams().getParam("compression");
            rates.put(key, new double[] {result.getPrimaryResult().getScore(),
                result.getPrimaryResult().getScoreError()});
        }
        System.out.println();
        System.out.println("Record format: one thread of Kafka's client appending 200-byte records to 256 KiB batches");
        System.out.println("| format | compression | records/s | ns/record | wire bytes/record | records/s vs "
                + "ProducerPerformance's format |");
        System.out.println("|---|---|---|---|---|---|");
        for (String compression : COMPRESSIONS) {
            double baseline = rates.get(FORMATS[0] + "/" + compression)[0];
            for (String format : FORMATS) {
                double[] rate = rates.get(format + "/" + compression);
                System.out.printf(Locale.ROOT, "| %s | %s | %,.0f ± %,.0f | %,.0f | %.1f | %.0f%% |%n", format,
                        compression, rate[0], rate[1], 1e9 / rate[0], wireBytesPerRecord(format, compression),
                        100 * rate[0] / baseline);
            }
        }
    }

    /** Appends 100,000 records of one format outside JMH and returns the closed batches' bytes per record. */
    private static double wireBytesPerRecord(String format, String compression) {
        RecordFormatBenchmark benchmark = new RecordFormatBenchmark();
        benchmark.format = format;
        benchmark.compression = compression;
        benchmark.setUp();
        while (benchmark.closedRecords < 100_000) {
            benchmark.append();
        }
        return (double) benchmark.closedBytes / benchmark.closedRecords;
    }
}
