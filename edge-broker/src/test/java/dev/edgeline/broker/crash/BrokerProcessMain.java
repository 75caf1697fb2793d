package dev.edgeline.broker.crash;

import dev.edgeline.broker.EdgeBroker;
import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.config.ClockSync;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import java.nio.file.Path;
import java.time.InstantSource;

/** Child process for the crash test: spool + embedded broker from a config file, running until killed. */
public final class BrokerProcessMain {
    private BrokerProcessMain() {}

    public static void main(String[] args) throws Exception {
        DeviceConfig config = ConfigLoader.load(Path.of(args[0]), Path.of(args[1]));
        SegmentedFileSpool spool = SegmentedFileSpool.open(config.spool(), config.device().id(), InstantSource.system());
        EdgeBroker.start(config, spool, ClockSync.system());
        System.out.println("READY");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
