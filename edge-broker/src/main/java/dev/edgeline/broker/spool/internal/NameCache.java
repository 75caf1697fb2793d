package dev.edgeline.broker.spool.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The names a frame carries (device, stream, MQTT topic), decoded once: a reader meets the same few names in every
 * frame of a stream, so a small table of the names seen (by a hash of their bytes; two places per hash, so that two
 * names sharing a place do not evict each other on every frame) returns the String already decoded instead of a new
 * array and a new String per name per frame. Not thread-safe; one per {@link FrameReader}.
 */
final class NameCache {
    private static final int SLOT_BITS = 9;
    private static final int SLOTS = 1 << SLOT_BITS;
    private static final int LONGEST_CACHED = 512;
    private final byte[][] bytes = new byte[SLOTS][];
    private final String[] names = new String[SLOTS];
    private boolean evictPartner;

    /** Reads {@code length} bytes of UTF-8 at the buffer's position (advancing it) as a String. */
    String read(ByteBuffer in, int length) {
        if (!in.hasArray() || length > LONGEST_CACHED) {
            return decode(in, length);
        }
        if (length > in.remaining()) {
            throw new java.nio.BufferUnderflowException();
        }
        byte[] array = in.array();
        int from = in.arrayOffset() + in.position();
        int hash = 1;
        for (int i = from; i < from + length; i++) {
            hash = 31 * hash + array[i];
        }
        int slot = (hash * 0x9E3779B9) >>> (32 - SLOT_BITS); // Fibonacci hashing: similar names spread apart
        int partner = slot ^ 1;
        int hit = holds(slot, array, from, length) ? slot : holds(partner, array, from, length) ? partner : -1;
        if (hit >= 0) {
            in.position(in.position() + length);
            return names[hit];
        }
        byte[] copy = Arrays.copyOfRange(array, from, from + length);
        in.position(in.position() + length);
        String name = new String(copy, StandardCharsets.UTF_8);
        int victim = bytes[slot] == null ? slot : bytes[partner] == null ? partner : (evictPartner ^= true) ? partner
                : slot;
        bytes[victim] = copy;
        names[victim] = name;
        return name;
    }

    private boolean holds(int slot, byte[] array, int from, int length) {
        byte[] known = bytes[slot];
        return known != null && Arrays.equals(known, 0, known.length, array, from, from + length);
    }

    private static String decode(ByteBuffer in, int length) {
        byte[] raw = new byte[length];
        in.get(raw);
        return new String(raw, StandardCharsets.UTF_8);
    }
}
