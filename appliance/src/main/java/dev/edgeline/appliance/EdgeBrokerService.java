package dev.edgeline.appliance;

import dev.edgeline.bridge.CloudBridge;
import dev.edgeline.broker.EdgeBroker;
import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.broker.spool.Spool;
import dev.edgeline.config.ClockSync;
import dev.edgeline.config.DeviceConfig;
import java.io.IOException;

/**
 * The {@code edge-broker} service: spool, MQTT broker and cloud bridge in one process, started in that order and
 * closed in the reverse order (bridge, broker, spool), so that nothing acknowledged is ever left unwritten. A failed
 * start closes what was already started.
 */
public final class EdgeBrokerService implements AutoCloseable {
    private final Spool spool;
    private final EdgeBroker broker;
    private final CloudBridge bridge;
    private final BridgeStatusFile statusFile;

    private EdgeBrokerService(Spool spool, EdgeBroker broker, CloudBridge bridge, BridgeStatusFile statusFile) {
        this.spool = spool;
        this.broker = broker;
        this.bridge = bridge;
        this.statusFile = statusFile;
    }

    public static EdgeBrokerService start(DeviceConfig config) throws IOException {
        SegmentedFileSpool spool = SegmentedFileSpool.open(config.spool(), config.device().id(),
                java.time.InstantSource.system());
        EdgeBroker broker;
        try {
            broker = EdgeBroker.start(config, spool, ClockSync.system());
        } catch (IOException | RuntimeException e) {
            spool.close();
            throw e;
        }
        CloudBridge bridge;
        try {
            bridge = new CloudBridge(config.bridge(), config.device().id(), () -> spool.openReader("bridge"));
        } catch (IOException e) {
            broker.close();
            spool.close();
            throw e;
        }
        bridge.start();
        return new EdgeBrokerService(spool, broker, bridge, new BridgeStatusFile(bridge, config.spool().directory()));
    }

    public Spool spool() {
        return spool;
    }

    public CloudBridge bridge() {
        return bridge;
    }

    @Override
    public void close() {
        statusFile.close();
        try {
            bridge.close();
        } finally {
            try {
                broker.close();
            } finally {
                spool.close();
            }
        }
    }
}
