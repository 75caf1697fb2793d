package dev.edgeline.bridge.commands;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The frames of {@code commands.log}: {@code [int body length][int CRC32C of the body][body]}, the body a type byte
 * and its fields (strings as an unsigned short length and UTF-8, byte arrays as an int length and the bytes, all
 * big-endian). A frame whose length runs past the end or whose checksum does not match is not a frame.
 */
final class CommandLogCodec {
    static final int HEADER_BYTES = 8;
    /** Larger bodies are damage: a command is bounded by the MQTT maximum packet size. */
    static final int MAX_BODY_BYTES = 16 << 20;

    private static final byte START = 0;
    private static final byte ACCEPTED = 1;
    private static final byte SETTLED = 2;
    private static final byte FORWARDED = 3;

    /** One entry of the log. */
    sealed interface Entry permits Start, Accepted, Settled, Forwarded {}

    /** First frame of every file: the queue's epoch and the next numbers it hands out. */
    record Start(long epoch, long nextQueueSeq, long nextSettleSeq) implements Entry {}

    /** A command stored. */
    record Accepted(Command command) implements Entry {}

    /** A command ended ({@code queueSeq} -1 when it was refused before it was stored). */
    record Settled(CommandResult result, long queueSeq) implements Entry {}

    /** Every result up to {@code settleSeq} is in the spool. */
    record Forwarded(long settleSeq) implements Entry {}

    private CommandLogCodec() {}

    static byte[] encode(Entry entry) {
        ByteBuffer body = ByteBuffer.allocate(bodySize(entry));
        switch (entry) {
            case Start s -> body.put(START).putLong(s.epoch()).putLong(s.nextQueueSeq()).putLong(s.nextSettleSeq());
            case Accepted a -> {
                Command c = a.command();
                body.put(ACCEPTED).putLong(c.queueSeq()).putLong(c.receivedAtMillis()).putLong(c.expiresAtMillis())
                        .put((byte) (c.responseRequired() ? 1 : 0));
                putString(body, c.id());
                putString(body, c.target());
                putBytes(body, c.payload());
            }
            case Settled s -> {
                CommandResult r = s.result();
                body.put(SETTLED).putLong(r.settleSeq()).putLong(s.queueSeq()).putLong(r.atMillis())
                        .put((byte) r.state().ordinal());
                putString(body, r.commandId());
                putString(body, r.target());
                putString(body, r.reason());
                putBytes(body, r.response());
            }
            case Forwarded f -> body.put(FORWARDED).putLong(f.settleSeq());
        }
        byte[] bytes = body.array();
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return ByteBuffer.allocate(HEADER_BYTES + bytes.length).putInt(bytes.length).putInt((int) crc.getValue())
                .put(bytes).array();
    }

    private static int bodySize(Entry entry) {
        return switch (entry) {
            case Start s -> 1 + 24;
            case Accepted a -> 1 + 25 + stringSize(a.command().id()) + stringSize(a.command().target())
                    + 4 + a.command().payload().length;
            case Settled s -> 1 + 25 + stringSize(s.result().commandId()) + stringSize(s.result().target())
                    + stringSize(s.result().reason()) + 4 + s.result().response().length;
            case Forwarded f -> 1 + 8;
        };
    }

    /** The size of the frame starting at {@code offset} of {@code log}, or -1 when no valid frame starts there. */
    static int frameSize(ByteBuffer log, int offset) {
        if (log.limit() - offset < HEADER_BYTES) {
            return -1;
        }
        int length = log.getInt(offset);
        if (length < 1 || length > MAX_BODY_BYTES || length > log.limit() - offset - HEADER_BYTES) {
            return -1;
        }
        CRC32C crc = new CRC32C();
        crc.update(log.duplicate().position(offset + HEADER_BYTES).limit(offset + HEADER_BYTES + length));
        return log.getInt(offset + 4) == (int) crc.getValue() ? HEADER_BYTES + length : -1;
    }

    /**
     * The entry of the valid frame at {@code offset} (checked by {@link #frameSize}); an
     * {@link IllegalArgumentException} when its body does not decode (a checksum that matched damage, or a frame
     * type this release does not know).
     */
    static Entry decode(ByteBuffer log, int offset, int frameSize) {
        ByteBuffer body = log.duplicate().position(offset + HEADER_BYTES).limit(offset + frameSize).slice();
        try {
            byte type = body.get();
            Entry entry = switch (type) {
                case START -> new Start(body.getLong(), body.getLong(), body.getLong());
                case ACCEPTED -> {
                    long queueSeq = body.getLong();
                    long received = body.getLong();
                    long expires = body.getLong();
                    boolean response = body.get() != 0;
                    String id = getString(body);
                    String target = getString(body);
                    yield new Accepted(new Command(id, target, received, expires, response, getBytes(body), queueSeq));
                }
                case SETTLED -> {
                    long settleSeq = body.getLong();
                    long queueSeq = body.getLong();
                    long at = body.getLong();
                    CommandState state = CommandState.ofCode(body.get());
                    String id = getString(body);
                    String target = getString(body);
                    String reason = getString(body);
                    yield new Settled(new CommandResult(settleSeq, id, target, state, reason, getBytes(body), at),
                            queueSeq);
                }
                case FORWARDED -> new Forwarded(body.getLong());
                default -> throw new IllegalArgumentException("unknown frame type " + type);
            };
            if (body.hasRemaining()) {
                throw new IllegalArgumentException(body.remaining() + " bytes after the frame's fields");
            }
            return entry;
        } catch (BufferUnderflowException | IllegalStateException e) {
            throw new IllegalArgumentException("frame ends inside its fields", e);
        }
    }

    private static int stringSize(String s) {
        return 2 + s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static void putString(ByteBuffer buffer, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0xFFFF) {
            throw new IllegalArgumentException("string of " + bytes.length + " bytes in a command log frame");
        }
        buffer.putShort((short) bytes.length).put(bytes);
    }

    private static String getString(ByteBuffer buffer) {
        byte[] bytes = new byte[Short.toUnsignedInt(buffer.getShort())];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void putBytes(ByteBuffer buffer, byte[] bytes) {
        buffer.putInt(bytes.length).put(bytes);
    }

    private static byte[] getBytes(ByteBuffer buffer) {
        int length = buffer.getInt();
        if (length < 0 || length > buffer.remaining()) {
            throw new IllegalArgumentException("byte array of " + length + " bytes with " + buffer.remaining() + " left");
        }
        byte[] bytes = new byte[length];
        buffer.get(bytes);
        return bytes;
    }
}
