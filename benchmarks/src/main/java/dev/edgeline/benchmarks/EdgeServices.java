package dev.edgeline.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The device's edge services as child processes: our broker ({@code bin/edge broker}) and the cloud bridge, either
 * in the broker's process or, as a provisioned device runs it, in its own ({@code bin/edge bridge}, the
 * {@code edge-bridge} unit's JVM flags and its {@code Nice=-5}). {@code -Dbridge.layout=in-process|separate} picks the
 * layout where a harness does not compare both; the default is the provisioned one.
 */
final class EdgeServices implements AutoCloseable {
    /** Where the bridge runs. */
    enum BridgeLayout {
        IN_PROCESS, SEPARATE;

        static BridgeLayout fromProperty() {
            String value = System.getProperty("bridge.layout", "separate");
            return switch (value) {
                case "separate" -> SEPARATE;
                case "in-process" -> IN_PROCESS;
                default -> throw new IllegalArgumentException("-Dbridge.layout: in-process or separate, not '"
                        + value + "'");
            };
        }
    }

    /** {@code edge_appliance_bridge_nice} in the Ansible role's defaults: the bridge unit's {@code Nice=}. */
    static final int BRIDGE_NICE = -5;

    private final Process broker;
    private final Process bridge; // null when in the broker's process
    private final String description;

    private EdgeServices(Process broker, Process bridge, String description) {
        this.broker = broker;
        this.bridge = bridge;
        this.description = description;
    }

    /**
     * Starts the broker on {@code config} with {@code dir} as its data directory (logs {@code broker.log},
     * {@code bridge.log} there) and waits for its MQTT port; then the bridge process if {@code layout} says so.
     */
    static EdgeServices start(Path dir, Path config, int mqttPort, BridgeLayout layout)
            throws IOException, InterruptedException {
        List<String> brokerArgs = layout == BridgeLayout.SEPARATE
                ? List.of("--config", config.toString(), "--data-dir", dir.toString(), "--bridge", "separate")
                : List.of("--config", config.toString(), "--data-dir", dir.toString());
        Process broker = LocalProcesses.startBroker(dir.resolve("broker.log"), brokerArgs.toArray(String[]::new));
        try {
            LocalProcesses.awaitPort(mqttPort, broker);
            if (layout == BridgeLayout.IN_PROCESS) {
                return new EdgeServices(broker, null, "bridge in the broker's process");
            }
            boolean reniced = canLowerNice();
            List<String> prefix = new java.util.ArrayList<>(CorePinning.device());
            if (reniced) {
                prefix.addAll(List.of("nice", "-n", Integer.toString(BRIDGE_NICE)));
            }
            Process bridge = LocalProcesses.startBridge(dir.resolve("bridge.log"), prefix, "--config",
                    config.toString(), "--data-dir", dir.toString());
            return new EdgeServices(broker, bridge, reniced
                    ? String.format(Locale.ROOT, "bridge in its own process at nice %d (as edge-bridge.service)",
                            BRIDGE_NICE)
                    : "bridge in its own process at nice 0 (not allowed to lower it: run as root for the unit's "
                            + BRIDGE_NICE + ")");
        } catch (IOException | InterruptedException | RuntimeException e) {
            broker.destroyForcibly();
            throw e;
        }
    }

    /** The services' processes by name: {@code broker}, and {@code bridge} when it runs apart. */
    Map<String, ProcessHandle> processes() {
        Map<String, ProcessHandle> processes = new LinkedHashMap<>();
        processes.put("broker", broker.toHandle());
        if (bridge != null) {
            processes.put("bridge", bridge.toHandle());
        }
        return processes;
    }

    /** Where the bridge ran, for a result table. */
    String description() {
        return description;
    }

    /** Whether this process may start a child at a negative nice value (root, or CAP_SYS_NICE). */
    private static boolean canLowerNice() throws IOException, InterruptedException {
        Process probe = new ProcessBuilder("nice", "-n", Integer.toString(BRIDGE_NICE), "true")
                .redirectErrorStream(true).start();
        String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return probe.waitFor() == 0 && output.isBlank();
    }

    @Override
    public void close() throws InterruptedException {
        if (bridge != null) {
            bridge.destroy();
            bridge.waitFor(30, TimeUnit.SECONDS);
        }
        broker.destroy();
        broker.waitFor(30, TimeUnit.SECONDS);
    }
}
