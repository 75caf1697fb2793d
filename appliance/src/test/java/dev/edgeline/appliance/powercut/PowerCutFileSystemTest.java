package dev.edgeline.appliance.powercut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The power-cut file system loses exactly what a power cut may lose: file data and directory changes not yet fsynced,
 * and nothing that was.
 */
class PowerCutFileSystemTest {
    @TempDir
    Path temp;
    private PowerCutFileSystem fs;
    private Path root;

    @BeforeEach
    void mount() throws Exception {
        fs = PowerCutFileSystem.mount(temp.resolve("backing"), temp.resolve("mnt"), temp.resolve("fs.log"));
        root = fs.root();
    }

    @AfterEach
    void unmount() throws Exception {
        fs.close();
    }

    @Test
    void fsyncedDataSurvives_writesAfterTheFsyncDoNot() throws Exception {
        Path file = durableEmptyFile("data");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ascii("durable|"));
            channel.force(false);
            channel.write(ascii("lost"));
            assertThat(Files.readString(file)).isEqualTo("durable|lost");
        }
        assertThat(fs.state()).contains("dirty_bytes=4096");
        fs.dropUnsynced();
        assertThat(Files.readString(file)).isEqualTo("durable|");
        assertThat(fs.state()).contains("cuts=1").contains("dirty_bytes=0");
    }

    @Test
    void overwritesInsideSyncedDataAreUndone_acrossPages() throws Exception {
        Path file = durableEmptyFile("pages");
        byte[] original = new byte[3 * 4096 + 100];
        Arrays.fill(original, (byte) 'a');
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(original));
            channel.force(true);
            byte[] patch = new byte[5000];
            Arrays.fill(patch, (byte) 'b');
            channel.write(ByteBuffer.wrap(patch), 4000); // spans three pages
        }
        assertThat(Files.readAllBytes(file)[4500]).isEqualTo((byte) 'b');
        fs.dropUnsynced();
        assertThat(Files.readAllBytes(file)).isEqualTo(original);
    }

    @Test
    void truncationIsUndone_andReadsZerosWhereATruncatedFileGrewAgain() throws Exception {
        Path file = durableEmptyFile("truncated");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ascii("0123456789"));
            channel.force(true);
            channel.truncate(2);
            channel.write(ascii("X"), 5);
            byte[] now = Files.readAllBytes(file);
            assertThat(now).containsExactly('0', '1', 0, 0, 0, 'X');
        }
        fs.dropUnsynced();
        assertThat(Files.readString(file)).isEqualTo("0123456789");
    }

    @Test
    void aNewFileWithoutADirectoryFsyncIsGone_evenWhenItsDataWasSynced() throws Exception {
        Path file = root.resolve("new");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ascii("synced data"));
            channel.force(true);
        }
        fs.dropUnsynced();
        assertThat(file).doesNotExist();
    }

    @Test
    void aNewFileWithADirectoryFsyncStays_withOnlyItsSyncedData() throws Exception {
        Path file = root.resolve("new");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            channel.write(ascii("synced"));
            channel.force(true);
            syncDirectory(root);
            channel.write(ascii(" and not"));
        }
        fs.dropUnsynced();
        assertThat(Files.readString(file)).isEqualTo("synced");
    }

    @Test
    void aRenameOverAFileIsUndoneWithoutADirectoryFsync_andKeptWithOne() throws Exception {
        Path target = durableFile("target", "old");
        Path temp = durableFile("target.tmp", "new");
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.readString(target)).isEqualTo("new");
        fs.dropUnsynced();
        assertThat(Files.readString(target)).isEqualTo("old");
        assertThat(Files.readString(temp)).isEqualTo("new");

        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(root);
        fs.dropUnsynced();
        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(temp).doesNotExist();
    }

    @Test
    void aDeleteIsUndoneWithoutADirectoryFsync() throws Exception {
        Path file = durableFile("deleted", "still here");
        Files.delete(file);
        fs.dropUnsynced();
        assertThat(Files.readString(file)).isEqualTo("still here");
        Files.delete(file);
        syncDirectory(root);
        fs.dropUnsynced();
        assertThat(file).doesNotExist();
    }

    @Test
    void aNewDirectoryWithoutItsParentsFsyncIsGoneWithEverythingInIt() throws Exception {
        Path directory = Files.createDirectory(root.resolve("lane"));
        Path file = directory.resolve("segment");
        Files.writeString(file, "x");
        syncDirectory(directory);
        fs.dropUnsynced();
        assertThat(directory).doesNotExist();
    }

    @Test
    void aFileDeletedWhileOpenStaysUsableThroughItsDescriptor_andComesBackWithoutADirectoryFsync() throws Exception {
        Path file = durableFile("open", "kept");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            Files.delete(file);
            channel.write(ascii("-more"), 4);
            assertThat(channel.size()).isEqualTo(9); // fstat of a file with no name
            channel.force(true);
        }
        fs.dropUnsynced();
        assertThat(Files.readString(file)).isEqualTo("kept-more");
    }

    @Test
    void memoryMappedWritesAreLostUnlessForced() throws Exception {
        Path file = durableEmptyFile("mapped");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, 16);
            map.putLong(0, 42);
            map.force();
            map.putLong(8, 43);
        }
        System.gc(); // let the mapping go before the cut
        fs.dropUnsynced();
        ByteBuffer content = ByteBuffer.wrap(Files.readAllBytes(file));
        assertThat(content.getLong(0)).isEqualTo(42);
        assertThat(content.getLong(8)).isNotEqualTo(43);
    }

    @Test
    void whileThePowerIsOffEveryChangeFails_andNothingOfItRemains() throws Exception {
        Path file = durableFile("file", "before");
        fs.powerOff();
        assertThatThrownBy(() -> Files.writeString(file, "during")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Files.createFile(root.resolve("other"))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> Files.delete(file)).isInstanceOf(IOException.class);
        assertThat(Files.readString(file)).isEqualTo("before");
        fs.powerOn();
        assertThat(fs.state()).as("a fresh mount, powered").startsWith("off=0 cuts=0");
        assertThat(fs.cuts()).isEqualTo(1);
        Files.writeString(file, "after");
        assertThat(Files.readString(file)).isEqualTo("after");
    }

    private Path durableEmptyFile(String name) throws IOException {
        return durableFile(name, "");
    }

    private Path durableFile(String name, String content) throws IOException {
        Path file = root.resolve(name);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(ascii(content));
            channel.force(true);
        }
        syncDirectory(root);
        return file;
    }

    private static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }
}
