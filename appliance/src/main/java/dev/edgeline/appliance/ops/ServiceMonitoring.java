package dev.edgeline.appliance.ops;

import dev.edgeline.bridge.BridgeStatus;
import dev.edgeline.bridge.CloudBridge;
import dev.edgeline.broker.EdgeBroker;
import dev.edgeline.broker.receipts.StreamReceipts;
import dev.edgeline.broker.spool.Spool;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.MonitoringConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What one service shows operators: its meters on {@code /metrics}, its {@code /health}, and the systemd watchdog
 * (fed unless the service is stuck). The broker service shows the spool and the per-stream receipts, plus the bridge
 * when it runs in-process; the bridge service shows the bridge. Without {@code monitoring:} in the config there is
 * no HTTP endpoint, but the watchdog and readiness still work under systemd.
 */
public final class ServiceMonitoring implements AutoCloseable {
    private final Registry registry;
    private final Supplier<Health> health;
    private final MonitoringEndpoint endpoint; // null without monitoring: in the config
    private final Watchdog watchdog;

    /** The service's meter registry and the GC binder, which listens to the JVM's GC notifications until closed. */
    private record Registry(PrometheusMeterRegistry meters, JvmGcMetrics gc) implements AutoCloseable {
        @Override
        public void close() {
            gc.close();
            meters.close();
        }
    }

    private ServiceMonitoring(Registry registry, Supplier<Health> health, MonitoringEndpoint endpoint,
                              Watchdog watchdog) {
        this.registry = registry;
        this.health = health;
        this.endpoint = endpoint;
        this.watchdog = watchdog;
    }

    /** The edge-broker service's: spool, receipts, broker, and the bridge when it runs in this process (else null). */
    public static ServiceMonitoring forBroker(DeviceConfig config, Spool spool, StreamReceipts receipts,
                                              EdgeBroker broker, CloudBridge inProcessBridge) throws IOException {
        Registry registry = registry(config, "edge-broker");
        SpoolMeters.bind(registry.meters(), spool, config.spool().directory());
        bindRefusals(registry, broker, "edge.broker.refused.publishes", "publishes refused (never spooled), by reason",
                EdgeBroker.REFUSAL_REASONS, EdgeBroker::refusedPublishes);
        bindRefusals(registry, broker, "edge.broker.refused.connections", "MQTT connections refused, by CONNACK "
                + "reason", EdgeBroker.CONNECTION_REFUSAL_REASONS, EdgeBroker::refusedConnections);
        ReceiptMeters receiptMeters = ReceiptMeters.bind(registry.meters(), receipts);
        DeliveryCheck check = new DeliveryCheck(stallAfter(config));
        Supplier<Health> health;
        BooleanSupplier stuck;
        Supplier<String> status;
        if (inProcessBridge != null) {
            BridgeMeters.bind(registry.meters(), inProcessBridge);
            health = () -> bridgeHealth("edge-broker", check, inProcessBridge);
            stuck = () -> check.stuck(inProcessBridge.status(), System.nanoTime() - inProcessBridge.loopAtNanos(),
                    System.currentTimeMillis());
            status = () -> DeliveryCheck.summary(inProcessBridge.status(), System.currentTimeMillis());
        } else {
            health = () -> new Health("edge-broker", List.of(), spoolSummary(spool)
                    + "; forwarding is edge-bridge's (its own /health)");
            stuck = () -> false;
            status = () -> spoolSummary(spool);
        }
        return start(config, config.monitoring().map(MonitoringConfig::brokerPort), registry, receiptMeters::refresh,
                health, "edge-broker", stuck, status);
    }

    /** Adds the command bridge's meters (it runs in this service's process). */
    public void bindCommands(dev.edgeline.bridge.commands.CommandBridge commands) {
        CommandMeters.bind(registry.meters(), commands);
    }

    /** The edge-bridge service's (the bridge as its own process). */
    public static ServiceMonitoring forBridge(DeviceConfig config, CloudBridge bridge) throws IOException {
        Registry registry = registry(config, "edge-bridge");
        BridgeMeters.bind(registry.meters(), bridge);
        DeliveryCheck check = new DeliveryCheck(stallAfter(config));
        return start(config, config.monitoring().map(MonitoringConfig::bridgePort), registry, () -> { },
                () -> bridgeHealth("edge-bridge", check, bridge), "edge-bridge",
                () -> check.stuck(bridge.status(), System.nanoTime() - bridge.loopAtNanos(),
                        System.currentTimeMillis()),
                () -> DeliveryCheck.summary(bridge.status(), System.currentTimeMillis()));
    }

    private static ServiceMonitoring start(DeviceConfig config, Optional<Integer> port, Registry registry,
                                           Runnable beforeScrape, Supplier<Health> health, String service,
                                           BooleanSupplier stuck, Supplier<String> status) throws IOException {
        MonitoringEndpoint endpoint = null;
        if (port.isPresent()) {
            try {
                MonitoringConfig monitoring = config.monitoring().orElseThrow();
                endpoint = MonitoringEndpoint.start(monitoring.host(), port.get(), registry.meters(), beforeScrape,
                        health, bearerToken(monitoring), java.net.InetAddress::isLoopbackAddress);
            } catch (IOException | RuntimeException e) {
                registry.close();
                throw e;
            }
        }
        return new ServiceMonitoring(registry, health, endpoint, Watchdog.start(service, stuck, status));
    }

    /**
     * One counter series per reason, each 0 until the first refusal of its kind; the meters hold {@code broker}
     * (which lives as long as the service), not a function object the garbage collector could take.
     */
    private static void bindRefusals(Registry registry, EdgeBroker broker, String name, String description,
                                     List<String> reasons,
                                     java.util.function.Function<EdgeBroker, java.util.Map<String, Long>> counts) {
        for (String reason : reasons) {
            FunctionCounter.builder(name, broker, b -> counts.apply(b).getOrDefault(reason, 0L))
                    .tag("reason", reason).description(description).register(registry.meters());
        }
    }

    /** The token in {@code monitoring.bearer-token-file} (first line, trimmed); an empty file is an error. */
    private static Optional<String> bearerToken(MonitoringConfig monitoring) throws IOException {
        if (monitoring.bearerTokenFile().isEmpty()) {
            return Optional.empty();
        }
        java.nio.file.Path file = monitoring.bearerTokenFile().get();
        String token = java.nio.file.Files.readString(file).lines().findFirst().orElse("").trim();
        if (token.isEmpty()) {
            throw new IOException("monitoring.bearer-token-file " + file + " is empty: it must hold the token");
        }
        return Optional.of(token);
    }

    private static Registry registry(DeviceConfig config, String service) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("device", config.device().id(), "service", service);
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return new Registry(registry, gc);
    }

    private static java.time.Duration stallAfter(DeviceConfig config) {
        return config.monitoring().map(MonitoringConfig::stallAfter).orElse(MonitoringConfig.DEFAULT_STALL_AFTER);
    }

    private static Health bridgeHealth(String service, DeliveryCheck check, CloudBridge bridge) {
        BridgeStatus status = bridge.status();
        long now = System.currentTimeMillis();
        return new Health(service, check.problems(status, now), DeliveryCheck.summary(status, now));
    }

    private static String spoolSummary(Spool spool) {
        var counters = spool.counters();
        return "spool: " + counters.appended() + " record(s) ingested, " + counters.duplicates() + " duplicate(s), "
                + counters.refused() + " refused since start";
    }

    @Override
    public void close() {
        List<RuntimeException> failures = new ArrayList<>();
        try {
            watchdog.close();
        } catch (RuntimeException e) {
            failures.add(e);
        }
        if (endpoint != null) {
            endpoint.close();
        }
        registry.close();
        if (!failures.isEmpty()) {
            throw failures.getFirst();
        }
    }
}
