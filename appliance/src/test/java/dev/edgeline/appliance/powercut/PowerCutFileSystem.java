package dev.edgeline.appliance.powercut;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A mounted {@code powercutfs} (src/test/c/powercutfs.c): a directory whose unsynced file data and unsynced directory
 * changes a test can drop, as a power cut does. Built with gcc against Debian's libfuse3 the first time a test needs
 * it (into {@code target/powercutfs}); needs {@code /dev/fuse}, {@code fusermount3} and root, as bin/test provides.
 *
 * <p>{@link #powerOff()} drops what is not durable and fails every later change with EIO; the test then kills the
 * processes that used the file system, and {@link #powerOn()} boots the machine again: the file system is unmounted
 * (pages the kernel still held dirty for the dead processes are refused on the way) and mounted afresh on the same
 * durable content, so that nothing the kernel cached (data, sizes, a writeback error flagged on a file) outlives
 * the cut, as nothing does across a real reboot.
 */
public final class PowerCutFileSystem implements AutoCloseable {
    private static final Path SOURCE = Path.of("src/test/c/powercutfs.c");
    private static final Path BINARY = Path.of("target/powercutfs");
    private final Path backing;
    private final Path mountPoint;
    private final Path log;
    private Process process;
    private int cuts;

    private PowerCutFileSystem(Path backing, Path mountPoint, Path log) {
        this.backing = backing;
        this.mountPoint = mountPoint;
        this.log = log;
    }

    /** Mounts a new power-cut file system at {@code mountPoint}, keeping its durable content in {@code backing}. */
    public static PowerCutFileSystem mount(Path backing, Path mountPoint, Path log) throws IOException,
            InterruptedException {
        Files.createDirectories(backing);
        Files.createDirectories(mountPoint);
        PowerCutFileSystem fs = new PowerCutFileSystem(backing, mountPoint, log);
        fs.start();
        return fs;
    }

    private void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(binary().toAbsolutePath().toString(), backing.toString(), mountPoint.toString(),
                "-f").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!mounted()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IOException("powercutfs did not mount " + mountPoint + " (see " + log + ")");
            }
            Thread.sleep(20);
        }
    }

    /** The compiled file system, rebuilt when its source is newer. */
    static synchronized Path binary() throws IOException, InterruptedException {
        if (Files.exists(BINARY) && Files.getLastModifiedTime(BINARY).compareTo(Files.getLastModifiedTime(SOURCE)) > 0) {
            return BINARY;
        }
        Files.createDirectories(BINARY.getParent());
        Process pkgConfig = new ProcessBuilder("pkg-config", "--cflags", "--libs", "fuse3").start();
        String flags = new String(pkgConfig.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (pkgConfig.waitFor() != 0 || flags.isEmpty()) {
            throw new IOException("pkg-config found no fuse3: install libfuse3-dev (bin/test does)");
        }
        List<String> command = new java.util.ArrayList<>(List.of("gcc", "-O2", "-Wall", "-Werror", "-o",
                BINARY.toString(), SOURCE.toString()));
        command.addAll(List.of(flags.split("\\s+")));
        Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (gcc.waitFor() != 0) {
            throw new IOException("gcc could not build powercutfs:\n" + out);
        }
        Files.setLastModifiedTime(BINARY, FileTime.fromMillis(System.currentTimeMillis()));
        return BINARY;
    }

    private boolean mounted() throws IOException {
        String target = mountPoint.toRealPath().toString();
        return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                .anyMatch(line -> line.split(" ")[1].equals(target));
    }

    public Path root() {
        return mountPoint;
    }

    /** The power fails: everything not yet durable is gone, and every change fails with EIO until power returns. */
    public void powerOff() throws IOException {
        command("off");
        cuts++;
    }

    /**
     * The machine boots again: unmounts (every process that used the file system must be dead by now) and mounts a
     * fresh file system on the durable content.
     */
    public void powerOn() throws IOException, InterruptedException {
        unmount();
        start();
    }

    /** Power cuts so far. */
    public int cuts() {
        return cuts;
    }

    private void unmount() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Process unmount = new ProcessBuilder("fusermount3", "-u", mountPoint.toString())
                    .redirectErrorStream(true).start();
            String out = new String(unmount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (unmount.waitFor() == 0) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("cannot unmount " + mountPoint + ": " + out.trim());
            }
            Thread.sleep(100); // a dead process's files are still being closed
        }
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("powercutfs did not exit after unmounting " + mountPoint);
        }
    }

    /** Off and on at once, for tests that hold no process on the file system. */
    public void dropUnsynced() throws IOException {
        command("drop");
    }

    /** "off=0|1 cuts=N dirty_bytes=N pending_directory_changes=N". */
    public String state() throws IOException {
        return Files.readString(mountPoint.resolve(".powercut"), StandardCharsets.US_ASCII).trim();
    }

    private void command(String command) throws IOException {
        Files.writeString(mountPoint.resolve(".powercut"), command + "\n", StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws Exception {
        Process unmount = new ProcessBuilder("fusermount3", "-u", "-z", mountPoint.toString()).inheritIO().start();
        unmount.waitFor(30, TimeUnit.SECONDS);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
