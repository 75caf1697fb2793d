package dev.edgeline.appliance;

import dev.edgeline.bridge.CloudBridge;
import dev.edgeline.bridge.commands.CommandBridge;
import dev.edgeline.broker.EdgeBroker;
import dev.edgeline.broker.spool.SegmentedFileSpool;
import dev.edgeline.broker.spool.Spool;
import dev.edgeline.config.ClockSync;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.appliance.ops.ServiceMonitoring;
import dev.edgeline.broker.receipts.StreamReceipts;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code edge-broker} service: spool, MQTT broker and (unless it runs as its own process, {@code bin/edge bridge})
 * cloud bridge in one process, started in that order and closed in the reverse order (bridge, broker, spool), so that
 * nothing acknowledged is ever left unwritten. A failed start closes what was already started. Beside them: the
 * per-stream receipts (ingested marks from the spool, committed ones from the bridge) and the service's monitoring
 * (metrics, health, systemd watchdog).
 */
public final class EdgeBrokerService implements AutoCloseable {
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final Spool spool;
    private final EdgeBroker broker;
    private final CloudBridge bridge; // null when the bridge runs as its own process
    private final CommandBridge commands; // null when commands are off or the bridge runs as its own process
    private final BridgeStatusFile statusFile; // null likewise: that process writes the status file
    private final StreamReceipts receipts;
    private final ServiceMonitoring monitoring;

    private EdgeBrokerService(Spool spool, EdgeBroker broker, CloudBridge bridge, CommandBridge commands,
                              BridgeStatusFile statusFile, StreamReceipts receipts, ServiceMonitoring monitoring) {
        this.spool = spool;
        this.broker = broker;
        this.bridge = bridge;
        this.commands = commands;
        this.statusFile = statusFile;
        this.receipts = receipts;
        this.monitoring = monitoring;
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
        List<AutoCloseable> started = new ArrayList<>(); // closed in reverse order if a later step fails
        try {
            SegmentedFileSpool spool = SegmentedFileSpool.open(config.spool(), config.device().id(),
                    java.time.InstantSource.system());
            started.add(spool);
            StreamReceipts receipts = StreamReceipts.open(config.spool().directory());
            started.add(receipts);
            spool.onDurable(receipts::ingested);
            EdgeBroker broker = EdgeBroker.start(config, spool, ClockSync.system());
            started.add(broker);
            CloudBridge bridge = null;
            BridgeStatusFile statusFile = null;
            if (withBridge) {
                bridge = new CloudBridge(config.bridge(), config.device().id(), () -> spool.openReader("bridge"));
                bridge.onCommit((batch, nanos) -> receipts.committedRecords(batch));
            }
            ServiceMonitoring monitoring = ServiceMonitoring.forBroker(config, spool, receipts, broker, bridge);
            started.add(monitoring);
            CommandBridge commands = null;
            if (bridge != null) {
                bridge.start();
                statusFile = new BridgeStatusFile(bridge, config.spool().directory());
                commands = CommandBridges.startIfEnabled(config);
                if (commands != null) {
                    monitoring.bindCommands(commands);
                }
            }
            return new EdgeBrokerService(spool, broker, bridge, commands, statusFile, receipts, monitoring);
        } catch (IOException | RuntimeException e) {
            closeAll(started, e);
            throw e;
        }
    }

    private static void closeAll(List<AutoCloseable> started, Exception cause) {
        for (AutoCloseable closeable : started.reversed()) {
            try {
                closeable.close();
            } catch (Exception e) {
                cause.addSuppressed(e);
            }
        }
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

    /**
     * Closes monitoring, command bridge, bridge, broker, spool and receipts, in that order; a second call (shutdown hook, then
     * try-with-resources) does nothing.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            monitoring.close();
            if (commands != null) {
                commands.close();
            }
            if (bridge != null) {
                statusFile.close();
                bridge.close();
            }
        } finally {
            try {
                broker.close();
            } finally {
                try {
                    spool.close();
                } finally {
                    receipts.close();
                }
            }
        }
    }
}
