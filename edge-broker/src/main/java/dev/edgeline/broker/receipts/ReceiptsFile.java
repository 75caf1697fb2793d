package dev.edgeline.broker.receipts;

import dev.edgeline.broker.spool.Spool.StreamId;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * One side of the receipts (ingested or committed) in one file that only one process writes: the whole side,
 * CRC32C-checked, replaced by writing a temporary file and renaming it over the old one. Never fsynced (a report):
 * after a power cut the file may be the previous version, empty or torn, and a torn or foreign file is reported by
 * {@link #read} as {@link DamagedReceiptsException}, never read as data.
 *
 * <pre>
 * file:  "EDGERCP1" | side u8 | count u32 | entry * count | CRC32C u32 of everything before it
 * entry: device u16+utf8 | stream u16+utf8 | lane u8+ascii | firstSeq i64 | boot i64 | seq i64 | atMillis i64
 * </pre>
 */
final class ReceiptsFile {
    private static final byte[] MAGIC = "EDGERCP1".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = MAGIC.length + 1 + 4;

    /** Which half of a receipt a file holds, and its name in the spool directory. */
    enum Side {
        INGESTED("receipts.ingested"),
        COMMITTED("receipts.committed");

        final String fileName;

        Side(String fileName) {
            this.fileName = fileName;
        }
    }

    /**
     * One stream's half of a receipt.
     *
     * @param lane     the lane (ingested side; "" on the committed side)
     * @param firstSeq the first seq noted (ingested side; -1 on the committed side)
     */
    record Mark(String lane, long firstSeq, long boot, long seq, long atMillis) {}

    /** The file is there but cannot be read as receipts (torn by a power cut, truncated, not ours). */
    static final class DamagedReceiptsException extends IOException {
        DamagedReceiptsException(Path file, String why) {
            super(file + " is damaged (" + why + ")");
        }
    }

    private ReceiptsFile() {}

    /** The side's marks; empty when the file does not exist. */
    static Map<StreamId, Mark> read(Path file, Side side) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException none) {
            return Map.of();
        }
        if (bytes.length < HEADER + 4) {
            throw new DamagedReceiptsException(file, bytes.length + " bytes");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        if (buffer.getInt(bytes.length - 4) != (int) crc.getValue()) {
            throw new DamagedReceiptsException(file, "checksum mismatch");
        }
        byte[] magic = new byte[MAGIC.length];
        buffer.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC) || buffer.get() != side.ordinal()) {
            throw new DamagedReceiptsException(file, "not a receipts file of the " + side + " side");
        }
        int count = buffer.getInt();
        Map<StreamId, Mark> marks = new LinkedHashMap<>();
        try {
            for (int i = 0; i < count; i++) {
                StreamId id = new StreamId(utf8(buffer, buffer.getShort() & 0xFFFF),
                        utf8(buffer, buffer.getShort() & 0xFFFF));
                marks.put(id, new Mark(utf8(buffer, buffer.get() & 0xFF), buffer.getLong(), buffer.getLong(),
                        buffer.getLong(), buffer.getLong()));
            }
        } catch (BufferUnderflowException e) {
            throw new DamagedReceiptsException(file, "shorter than its " + count + " entries");
        }
        return marks;
    }

    /** Replaces the file with {@code marks} (temporary file and rename; no fsync); returns the bytes written. */
    static int write(Path file, Side side, Map<StreamId, Mark> marks) throws IOException {
        byte[] content = encode(side, marks);
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(temp, content);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return content.length;
    }

    static byte[] encode(Side side, Map<StreamId, Mark> marks) {
        int size = HEADER + 4;
        for (Map.Entry<StreamId, Mark> entry : marks.entrySet()) {
            size += 2 + utf8Length(entry.getKey().device()) + 2 + utf8Length(entry.getKey().stream()) + 1
                    + entry.getValue().lane().length() + 4 * Long.BYTES;
        }
        ByteBuffer buffer = ByteBuffer.allocate(size);
        buffer.put(MAGIC).put((byte) side.ordinal()).putInt(marks.size());
        marks.forEach((id, mark) -> {
            putUtf8(buffer, id.device(), 2);
            putUtf8(buffer, id.stream(), 2);
            putUtf8(buffer, mark.lane(), 1);
            buffer.putLong(mark.firstSeq()).putLong(mark.boot()).putLong(mark.seq()).putLong(mark.atMillis());
        });
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, buffer.position());
        buffer.putInt((int) crc.getValue());
        return buffer.array();
    }

    /** Whether a stream's names fit the format (device and stream at most 65,535 UTF-8 bytes). */
    static boolean fits(StreamId id) {
        return utf8Length(id.device()) <= 0xFFFF && utf8Length(id.stream()) <= 0xFFFF;
    }

    private static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private static void putUtf8(ByteBuffer buffer, String text, int lengthBytes) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (lengthBytes == 2) {
            buffer.putShort((short) bytes.length);
        } else {
            buffer.put((byte) bytes.length);
        }
        buffer.put(bytes);
    }

    private static String utf8(ByteBuffer buffer, int length) {
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
