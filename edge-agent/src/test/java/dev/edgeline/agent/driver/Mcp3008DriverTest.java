package dev.edgeline.agent.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.edgeline.agent.bus.SpiDevice;
import dev.edgeline.config.SensorConfig;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

public class Mcp3008DriverTest {

    /**
     * A bit-level MCP3008 (datasheet DS21295, section 5 and figure 6-1): it waits for the start bit, takes SGL/DIFF
     * and D2..D0 on the next four clocks, samples on the following clock, drives a null bit and then B9..B0 MSB
     * first; MISO floats high (reads 1) before that. Only single-ended mode is emulated.
     */
    public static final class Emulator implements SpiDevice {
        public final int[] codes = new int[8];
        public int lastChannel = -1;

        @Override
        public byte[] transfer(byte[] tx) {
            int bits = tx.length * 8;
            int[] in = new int[bits];
            for (int i = 0; i < bits; i++) {
                in[i] = (tx[i / 8] >> (7 - i % 8)) & 1;
            }
            int[] out = new int[bits];
            java.util.Arrays.fill(out, 1);
            int start = 0;
            while (start < bits && in[start] == 0) {
                start++;
            }
            if (start + 5 < bits) {
                if (in[start + 1] != 1) {
                    throw new AssertionError("differential mode is not emulated");
                }
                int channel = in[start + 2] << 2 | in[start + 3] << 1 | in[start + 4];
                lastChannel = channel;
                int code = codes[channel];
                int nullBit = start + 6;             // sample on clock start+5, null bit on the next
                out[nullBit] = 0;
                for (int b = 0; b < 10 && nullBit + 1 + b < bits; b++) {
                    out[nullBit + 1 + b] = (code >> (9 - b)) & 1;
                }
            }
            byte[] rx = new byte[tx.length];
            for (int i = 0; i < bits; i++) {
                rx[i / 8] |= (byte) (out[i] << (7 - i % 8));
            }
            return rx;
        }
    }

    private static SensorConfig.Mcp3008 channel(int channel) {
        return new SensorConfig.Mcp3008("tank", Duration.ofMillis(100), 0, 0, channel, 3.3, 1_000_000);
    }

    @Test
    void commandFraming_isStartBit_singleEnded_channel() {
        assertThat(Mcp3008Driver.command(0)).containsExactly(0x01, 0x80, 0x00);
        assertThat(Mcp3008Driver.command(5)).containsExactly(0x01, 0xD0, 0x00);
        assertThat(Mcp3008Driver.command(7)).containsExactly(0x01, 0xF0, 0x00);
    }

    @Test
    void everyChannel_readsItsOwnCode_scaledToVolts() throws IOException {
        Emulator chip = new Emulator();
        for (int ch = 0; ch < 8; ch++) {
            chip.codes[ch] = ch * 146 + 1; // 1, 147, ..., 1023
        }
        for (int ch = 0; ch < 8; ch++) {
            Measurement m = new Mcp3008Driver(channel(ch), chip).read().getFirst();
            assertThat(chip.lastChannel).isEqualTo(ch);
            assertThat(m.value()).as("channel %d", ch).isCloseTo(chip.codes[ch] * 3.3 / 1024, within(1e-12));
            assertThat(m.unit()).isEqualTo("V");
        }
    }

    @Test
    void fullScaleAndZero() throws IOException {
        Emulator chip = new Emulator();
        chip.codes[3] = 1023;
        assertThat(new Mcp3008Driver(channel(3), chip).read().getFirst().value()).isCloseTo(3.3 * 1023 / 1024, within(1e-12));
        chip.codes[3] = 0;
        assertThat(new Mcp3008Driver(channel(3), chip).read().getFirst().value()).isZero();
    }

    @Test
    void nothingOnTheBus_isAnError() {
        SpiDevice floating = tx -> new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
        assertThatThrownBy(() -> new Mcp3008Driver(channel(0), floating).read()).isInstanceOf(IOException.class)
                .hasMessageContaining("null bit is 1");
    }
}
