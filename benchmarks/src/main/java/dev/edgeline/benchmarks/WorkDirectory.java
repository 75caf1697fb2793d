package dev.edgeline.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A harness's scratch directory under {@code -Dbench.dir} (default /tmp), deleted when the harness ends
 * unless {@code -Dbench.keep=true} (to read the child processes' logs). */
final class WorkDirectory implements AutoCloseable {
    private final Path path;

    WorkDirectory(String prefix) throws IOException {
        this.path = Files.createTempDirectory(Path.of(System.getProperty("bench.dir", "/tmp")), prefix);
    }

    /** A scratch directory deleted when the JVM exits (also on Ctrl-C), for harnesses that run to the end of main. */
    static WorkDirectory deletedAtExit(String prefix) throws IOException {
        WorkDirectory directory = new WorkDirectory(prefix);
        Runtime.getRuntime().addShutdownHook(new Thread(directory::close));
        return directory;
    }

    Path path() {
        return path;
    }

    @Override
    public void close() {
        if (Boolean.getBoolean("bench.keep")) {
            System.err.println("kept " + path + " (-Dbench.keep=true)");
            return;
        }
        try {
            Directories.delete(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
