package dev.edgeline.appliance;

import dev.edgeline.bridge.CloudBridge;
import dev.edgeline.broker.EdgeBroker;
import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.broker.spool.Spool;
import dev.edgeline.config.ClockSync;
import dev.edgeline.config.DeviceConfig;
import java.io.IOException;

/**
 * The {@code edge-broker} service: spool, MQTT broker and (unless it runs as its own process, {@code bin/edge bridge})
 * cloud bridge in one process, started in that order and closed in the reverse order (bridge, broker, spool), so that
 * nothing acknowledged is ever left unwritten. A failed start closes what was already started.
 */
public final class EdgeBrokerService implements AutoCloseable {
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final Spool spool;
    private final EdgeBroker broker;
    private final CloudBridge bridge; // null when the bridge runs as its own process
    private final BridgeStatusFile statusFile; // null likewise: that process writes the status file

    private EdgeBrokerService(Spool spool, EdgeBroker broker, CloudBridge bridge, BridgeStatusFile statusFile) {
        this.spool = spool;
        this.broker = broker;
        this.bridge = bridge;
        this.statusFile = statusFile;
    }

    /** Spool, broker and the bridge in this process. */
    public static EdgeBrokerService start(DeviceConfig config) throws IOException {
        return start(config, true);
    }

    /**
     * Spool and broker only: the bridge runs as its own process ({@code bin/edge bridge} on the same spool
     * directory), so the operating system can schedule it apart from the broker's threads.
     */
    public static EdgeBrokerService startWithoutBridge(DeviceConfig config) throws IOException {
        return start(config, false);
    }

    private static EdgeBrokerService start(DeviceConfig config, boolean withBridge) throws IOException {
        SegmentedFileSpool spool = SegmentedFileSpool.open(config.spool(), config.device().id(),
                java.time.InstantSource.system());
        EdgeBroker broker;
        try {
            broker = EdgeBroker.start(config, spool, ClockSync.system());
        } catch (IOException | RuntimeException e) {
            spool.close();
            throw e;
        }
        if (!withBridge) {
            return new EdgeBrokerService(spool, broker, null, null);
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

    /** The bridge in this process; fails when it was started {@link #startWithoutBridge without} one. */
    public CloudBridge bridge() {
        if (bridge == null) {
            throw new IllegalStateException("this broker runs without its bridge (bin/edge bridge forwards)");
        }
        return bridge;
    }

    /** Closes bridge, broker and spool, in that order; a second call (shutdown hook, then try-with-resources) does nothing. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            if (bridge != null) {
                statusFile.close();
                bridge.close();
            }
        } finally {
            try {
                broker.close();
            } finally {
                spool.close();
            }
        }
    }
}
