package dev.edgeline.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's resident set size, from {@code /proc/<pid>/status} (Linux). */
final class ResidentMemory {
    private ResidentMemory() {}

    /**
     * One reading, in KiB: all resident pages, the anonymous ones (heap, code, thread stacks, malloc), the
     * file-backed ones (mapped jars and files, reclaimable), and what is swapped out.
     */
    record Sample(long rssKb, long anonKb, long fileKb, long swapKb) {}

    /** {@code VmRSS} of process {@code pid}, in KiB. */
    static long rssKb(long pid) throws IOException {
        return sample(pid).rssKb();
    }

    /** {@code VmRSS}, {@code RssAnon}, {@code RssFile} and {@code VmSwap} of process {@code pid}. */
    static Sample sample(long pid) throws IOException {
        long rss = -1;
        long anon = 0;
        long file = 0;
        long swap = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = kb(line);
            } else if (line.startsWith("RssAnon:")) {
                anon = kb(line);
            } else if (line.startsWith("RssFile:")) {
                file = kb(line);
            } else if (line.startsWith("VmSwap:")) {
                swap = kb(line);
            }
        }
        if (rss < 0) {
            throw new IOException("no VmRSS for " + pid);
        }
        return new Sample(rss, anon, file, swap);
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}
