package dev.edgeline.benchmarks;

/** A publisher the ingest benchmarks start, let run, and stop. */
interface LoadPublisher {
    void start() throws Exception;

    void stop() throws Exception;
}
