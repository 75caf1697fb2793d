package dev.edgeline.agent.driver;

import dev.edgeline.agent.bus.I2cDevice;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A register-level BME280 behind the bus port: chip id, soft reset with an NVM copy in progress for a few status
 * reads, calibration in the datasheet's register layout, ctrl_hum latched by a ctrl_meas write, a forced measurement
 * that keeps the "measuring" bit set for a few status reads before the data registers get the raw values, and every
 * register write recorded.
 */
final class Bme280Emulator implements I2cDevice {
    final int[] registers = new int[256];
    final List<int[]> writes = new ArrayList<>();
    int chipId = 0x60;
    int measuringPolls = 2;
    int nvmCopyPolls = 1;
    int latchedCtrlHum = -1;
    int forcedMeasurements;
    IOException failNext;
    private int adcT;
    private int adcP;
    private int adcH;
    private int busyPolls;
    private int nvmPolls;

    Bme280Emulator calibration(int t1, int t2, int t3, int p1, int p2, int p3, int p4, int p5, int p6, int p7,
                               int p8, int p9, int h1, int h2, int h3, int h4, int h5, int h6) {
        int[] tp = {t1, t2, t3, p1, p2, p3, p4, p5, p6, p7, p8, p9};
        for (int i = 0; i < tp.length; i++) {
            registers[0x88 + 2 * i] = tp[i] & 0xFF;
            registers[0x89 + 2 * i] = (tp[i] >> 8) & 0xFF;
        }
        registers[0xA1] = h1 & 0xFF;
        registers[0xE1] = h2 & 0xFF;
        registers[0xE2] = (h2 >> 8) & 0xFF;
        registers[0xE3] = h3 & 0xFF;
        registers[0xE4] = (h4 >> 4) & 0xFF;
        registers[0xE5] = (h4 & 0x0F) | ((h5 & 0x0F) << 4);
        registers[0xE6] = (h5 >> 4) & 0xFF;
        registers[0xE7] = h6 & 0xFF;
        return this;
    }

    /** The raw values the next measurement produces. */
    Bme280Emulator raw(int adcT, int adcP, int adcH) {
        this.adcT = adcT;
        this.adcP = adcP;
        this.adcH = adcH;
        return this;
    }

    /** Register contents as the chip would return them in a burst read, without side effects. */
    byte[] registersBlock(int start, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) registers[start + i];
        }
        return out;
    }

    @Override
    public byte[] readRegisters(int register, int length) throws IOException {
        if (failNext != null) {
            IOException e = failNext;
            failNext = null;
            throw e;
        }
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) read(register + i);
        }
        return out;
    }

    private int read(int register) {
        if (register == 0xD0) {
            return chipId;
        }
        if (register == 0xF3) {
            int status = 0;
            if (nvmPolls > 0) {
                nvmPolls--;
                status |= 0x01;
            }
            if (busyPolls > 0) {
                busyPolls--;
                status |= 0x08;
            }
            return status;
        }
        return registers[register];
    }

    @Override
    public void writeRegister(int register, int value) {
        writes.add(new int[] {register, value});
        if (register == 0xE0 && value == 0xB6) {
            nvmPolls = nvmCopyPolls;
            latchedCtrlHum = -1;
            return;
        }
        registers[register] = value;
        if (register == 0xF4) {
            latchedCtrlHum = registers[0xF2];
            if ((value & 0x03) == 0x01 || (value & 0x03) == 0x02) {
                forcedMeasurements++;
                busyPolls = measuringPolls;
                registers[0xF4] = value & ~0x03; // back to sleep after the measurement
            }
            if ((value & 0x03) != 0) {
                publishResult(value);
            }
        }
    }

    private void publishResult(int ctrlMeas) {
        boolean pressure = (ctrlMeas >> 2 & 0x07) != 0;
        boolean humidity = latchedCtrlHum > 0;
        int p = pressure ? adcP : 0x80000;
        int t = adcT;
        int h = humidity ? adcH : 0x8000;
        registers[0xF7] = p >> 12 & 0xFF;
        registers[0xF8] = p >> 4 & 0xFF;
        registers[0xF9] = (p & 0x0F) << 4;
        registers[0xFA] = t >> 12 & 0xFF;
        registers[0xFB] = t >> 4 & 0xFF;
        registers[0xFC] = (t & 0x0F) << 4;
        registers[0xFD] = h >> 8 & 0xFF;
        registers[0xFE] = h & 0xFF;
    }
}
