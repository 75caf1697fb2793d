package dev.edgeline.broker.spool.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NameCacheTest {
    private final NameCache cache = new NameCache();

    @Test
    void aNameSeenAgainIsTheSameString_andTheBufferMovesPastIt() {
        ByteBuffer in = buffer("edge/pi-1/temp", "edge/pi-1/temp");
        String first = read(in);
        String second = read(in);
        assertThat(first).isEqualTo("edge/pi-1/temp");
        assertThat(second).isSameAs(first);
        assertThat(in.remaining()).isZero();
    }

    @Test
    void manyNames_sharingSlots_eachReadBackAsWritten() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            names.add("lan/esp32-" + i + "/température"); // more names than slots, and non-ASCII bytes
        }
        for (int round = 0; round < 3; round++) {
            ByteBuffer in = buffer(names.toArray(String[]::new));
            for (String name : names) {
                assertThat(read(in)).isEqualTo(name);
            }
        }
    }

    @Test
    void readsFromADirectBufferAndFromASliceWithAnOffset() {
        ByteBuffer heap = buffer("xx", "device-7");
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.remaining()).put(heap.duplicate()).flip();
        assertThat(read(direct)).isEqualTo("xx");
        assertThat(read(direct)).isEqualTo("device-7");
        heap.position(4); // past "xx" and its length
        ByteBuffer slice = heap.slice();
        assertThat(read(slice)).isEqualTo("device-7");
    }

    @Test
    void aLengthBeyondTheBufferIsRefused_likeTheBufferItself() {
        ByteBuffer in = ByteBuffer.wrap("abc".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> cache.read(in, 4)).isInstanceOf(BufferUnderflowException.class);
    }

    private String read(ByteBuffer in) {
        return cache.read(in, Short.toUnsignedInt(in.getShort()));
    }

    private static ByteBuffer buffer(String... names) {
        ByteBuffer out = ByteBuffer.allocate(1 << 20);
        for (String name : names) {
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            out.putShort((short) bytes.length).put(bytes);
        }
        return out.flip();
    }
}
