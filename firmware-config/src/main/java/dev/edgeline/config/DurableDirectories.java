package dev.edgeline.config;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Creates directories so that they survive a power cut: each directory created is made durable in its parent (fsync
 * of the parent). Without it, a power cut soon after the first start can take a whole new directory (a spool with
 * acknowledged records in it, an agent's sequence reservations) with it, however carefully the files inside were
 * fsynced: the file system only promises a new name once its directory was fsynced.
 */
public final class DurableDirectories {
    private DurableDirectories() {}

    /** Like {@link Files#createDirectories}, and durable; returns {@code directory}. */
    public static Path create(Path directory) throws IOException {
        Path absolute = directory.toAbsolutePath();
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = absolute; p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.push(p);
        }
        while (!missing.isEmpty()) {
            Path created = missing.pop();
            try {
                Files.createDirectory(created);
            } catch (java.nio.file.FileAlreadyExistsException anotherProcessWasFirst) {
                if (!Files.isDirectory(created)) {
                    throw anotherProcessWasFirst;
                }
            }
            sync(created.getParent());
        }
        return directory;
    }

    /** fsyncs a directory, so that the creates, renames and deletes in it survive a power cut. */
    public static void sync(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
