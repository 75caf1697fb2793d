package dev.edgeline.agent;

import dev.edgeline.agent.bus.Buses;
import dev.edgeline.agent.bus.SimulatedOnlyBuses;
import dev.edgeline.agent.bus.pi4j.Pi4jBuses;
import dev.edgeline.agent.driver.DigitalOutputDriver;
import dev.edgeline.agent.driver.Drivers;
import dev.edgeline.agent.driver.SensorDriver;
import dev.edgeline.agent.internal.AgentCommandHandler;
import dev.edgeline.agent.internal.AgentCommandResponder;
import dev.edgeline.agent.internal.MonotonicClock;
import dev.edgeline.agent.internal.MqttPublisher;
import dev.edgeline.agent.internal.ReadingFactory;
import dev.edgeline.agent.internal.SamplingScheduler;
import dev.edgeline.agent.internal.SensorControl;
import dev.edgeline.agent.internal.SensorHealth;
import dev.edgeline.config.BootCounter;
import dev.edgeline.config.ClockSync;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.SensorConfig;
import dev.edgeline.time.Ticker;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sensor agent: samples the configured sensors and publishes every reading to the broker over MQTT 5, QoS 1,
 * with its identity ({@code device}, {@code stream}, {@code boot}, {@code seq}).
 *
 * <p>Files under the state directory: {@code agent.boot} (boot counter), {@code seq/<stream>.next} (sequence
 * reservations), {@code outbox/} (readings not yet acknowledged), {@code paho/} (Paho's session persistence).
 * Threads: {@code agent-sample-<sensor>} per sensor, {@code agent-debounce-<sensor>} per digital input,
 * {@code agent-publisher}, and Paho's. Guarantees: {@code boot} increases at every start; {@code seq} never repeats
 * within a stream; a reading is on disk before it is published and leaves the outbox only once the broker
 * acknowledged it (durable in the spool), so a killed agent publishes what it had after the restart; readings dropped
 * over the outbox budget are counted and reported on the health stream.
 */
public final class EdgeAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeAgent.class);

    private final DeviceConfig config;
    private final long boot;
    private final Buses buses;
    private final MqttPublisher publisher;
    private final SamplingScheduler scheduler;
    private final ReadingFactory readings;
    private final AgentCommandHandler commandHandler;
    private final AgentCommandResponder commands; // null unless kafka.commands.enabled

    private EdgeAgent(DeviceConfig config, long boot, Buses buses, MqttPublisher publisher,
                      SamplingScheduler scheduler, ReadingFactory readings, AgentCommandHandler commandHandler,
                      AgentCommandResponder commands) {
        this.readings = readings;
        this.commandHandler = commandHandler;
        this.commands = commands;
        this.config = config;
        this.boot = boot;
        this.buses = buses;
        this.publisher = publisher;
        this.scheduler = scheduler;
    }

    /** What an agent is built from besides its configuration; tests and benchmarks change parts of it. */
    public record Options(Buses buses, ReadingListener listener, long samplesPerSensor, ClockSync clockSync,
                          LongConsumer lateness) {
        public static Options of(Buses buses) {
            return new Options(buses, ReadingListener.NONE, Long.MAX_VALUE, ClockSync.system(), lateNanos -> { });
        }

        public Options listener(ReadingListener value) {
            return new Options(buses, value, samplesPerSensor, clockSync, lateness);
        }

        public Options samplesPerSensor(long value) {
            return new Options(buses, listener, value, clockSync, lateness);
        }

        public Options lateness(LongConsumer value) {
            return new Options(buses, listener, samplesPerSensor, clockSync, value);
        }
    }

    /**
     * Creates the agent: increments the boot counter, opens every sensor's device (failing with the missing bus or
     * device file named) and the outbox. {@link #start()} begins sampling and publishing. The agent closes
     * {@code options.buses()}.
     */
    public static EdgeAgent create(DeviceConfig config, Options options) throws IOException {
        List<SensorDriver> opened = new ArrayList<>();
        try {
            long boot = BootCounter.increment(config.agent().stateDirectory().resolve("agent.boot"));
            Set<String> streams = new LinkedHashSet<>();
            streams.add(config.agent().healthStream());
            config.sensors().forEach(sensor -> streams.addAll(sensor.streams()));
            ReadingFactory readings = new ReadingFactory(config.device().id(), boot,
                    config.agent().stateDirectory(), streams, InstantSource.system(), options.clockSync(),
                    MonotonicClock.system());
            List<SamplingScheduler.Channel> channels = new ArrayList<>();
            for (SensorConfig sensor : config.sensors()) {
                SensorDriver driver = Drivers.create(sensor, options.buses());
                opened.add(driver);
                channels.add(new SamplingScheduler.Channel(sensor, driver));
            }
            SensorHealth[] health = new SensorHealth[1];
            MqttPublisher publisher;
            try {
                publisher = new MqttPublisher(config.agent(), config.device().id(), options.listener(),
                        overflow -> health[0].outboxOverflow(overflow.dropped(), overflow.byStream()));
            } catch (MqttException e) {
                throw new IOException("cannot create the MQTT client for " + config.agent().brokerUri() + ": " + e, e);
            }
            health[0] = new SensorHealth(readings, config.agent().healthStream(), publisher::enqueue);
            Map<String, long[]> skipped = readings.skipped();
            if (!skipped.isEmpty()) { // declared durably, first in the outbox, before any new reading is numbered
                try {
                    publisher.enqueueDurably(health[0].seqSkipped(skipped));
                    readings.skippedDeclared();
                } catch (IOException e) { // the reservation files keep the range: the next start declares it
                    LOG.error("[Agent device={}] cannot store the declaration of skipped seq numbers: {}",
                            config.device().id(), e.toString());
                }
            }
            SamplingScheduler scheduler = new SamplingScheduler(channels, readings, health[0], publisher::enqueue,
                    config.agent().retryBackoffMax(), options.samplesPerSensor(), options.lateness(), Ticker.system());
            Map<String, DigitalOutputDriver> outputs = new LinkedHashMap<>();
            opened.forEach(d -> {
                if (d instanceof DigitalOutputDriver output) {
                    outputs.put(output.config().stream(), output);
                }
            });
            AgentCommandHandler handler = AgentCommandHandler.create(config.agent().stateDirectory(),
                    scheduler.controls(), outputs);
            AgentCommandResponder commands = null;
            if (config.bridge().commands().enabled()) {
                try {
                    commands = new AgentCommandResponder(config.agent(), config.device().id(), handler,
                            List.copyOf(outputs.values()));
                } catch (MqttException e) {
                    throw new IOException("cannot create the command client for " + config.agent().brokerUri()
                            + ": " + e, e);
                }
            }
            return new EdgeAgent(config, boot, options.buses(), publisher, scheduler, readings, handler, commands);
        } catch (IOException | RuntimeException e) {
            opened.forEach(SensorDriver::close);
            options.buses().close();
            throw e;
        }
    }

    /** An agent on this device's real buses (Pi4J), reporting acknowledged readings to {@code listener}. */
    public static EdgeAgent create(DeviceConfig config, ReadingListener listener) throws IOException {
        return create(config, Options.of(deviceBuses(config)).listener(listener));
    }

    /** As {@link #create(DeviceConfig, ReadingListener)}, each sensor stopping after {@code samplesPerSensor} ticks. */
    public static EdgeAgent create(DeviceConfig config, ReadingListener listener, long samplesPerSensor)
            throws IOException {
        return create(config, Options.of(deviceBuses(config)).listener(listener).samplesPerSensor(samplesPerSensor));
    }

    /**
     * The buses of this device: Pi4J with the Linux providers when a sensor needs hardware (checking every device
     * file first), none at all for a configuration of simulated sensors.
     */
    public static Buses deviceBuses(DeviceConfig config) throws IOException {
        boolean hardware = config.sensors().stream().anyMatch(s -> s.bus() != SensorConfig.Bus.NONE);
        return hardware
                ? Pi4jBuses.forDevice(config.sensors(), config.agent().oneWireDirectory(), Path.of("/dev"))
                : new SimulatedOnlyBuses();
    }

    public void start() {
        publisher.start();
        scheduler.start();
        if (commands != null) {
            commands.start();
        }
        LOG.info("[Agent device={}] started: boot {}, {} sensor(s), publishing to {}", config.device().id(), boot,
                config.sensors().size(), config.agent().brokerUri());
    }

    public long boot() {
        return boot;
    }

    /** Successful samples since start. */
    public long sampled() {
        return scheduler.sampled();
    }

    /** Failed sensor reads since start. */
    public long sensorFailures() {
        return scheduler.failures();
    }

    /** Readings acknowledged by the broker since start. */
    public long acknowledged() {
        return publisher.acknowledged();
    }

    /** Readings lost in the agent (outbox over budget, or not storable). */
    public long dropped() {
        return publisher.dropped();
    }

    /** Readings waiting for the broker. */
    public long pending() {
        return publisher.pending();
    }

    /** Every sensor's running settings and every output's level, as JSON (what the {@code status} command answers). */
    public String controlStatus() {
        return commandHandler.status();
    }

    /** The running controls of the sensors, by name (for tests and the embedding process). */
    public Map<String, SensorControl> sensorControls() {
        return scheduler.controls();
    }

    /** Commands of target {@code agent} answered since start. */
    public long commandsAnswered() {
        return commands == null ? 0 : commands.answered();
    }

    /** Whether every sensor has reached its sample limit. */
    public boolean samplingFinished() {
        return scheduler.finished();
    }

    /** Stops sampling; readings already taken are still published. */
    public void stopSampling() {
        scheduler.stop();
    }

    /** Waits until every reading taken so far is acknowledged by the broker. */
    public boolean awaitAcknowledged(Duration timeout) throws InterruptedException {
        return publisher.awaitEmpty(timeout);
    }

    @Override
    public void close() {
        if (commands != null) {
            commands.close(); // outputs to their safe state
        }
        scheduler.close();
        publisher.close();
        readings.close(); // nothing is numbered any more: the exact next seq of each stream becomes durable
        buses.close();
    }
}
