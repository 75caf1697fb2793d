package dev.edgeline.agent;

import dev.edgeline.agent.driver.Drivers;
import dev.edgeline.agent.internal.MqttPublisher;
import dev.edgeline.agent.internal.SamplingScheduler;
import dev.edgeline.agent.internal.SequenceStore;
import dev.edgeline.config.BootCounter;
import dev.edgeline.config.ClockSync;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.SensorConfig;
import java.io.IOException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sensor agent: samples the configured sensors and publishes every reading to the broker over MQTT 5, QoS 1,
 * with its identity ({@code device}, {@code stream}, {@code boot}, {@code seq}).
 *
 * <p>Files: {@code <state-directory>/agent.boot} (boot counter), {@code <state-directory>/seq/<stream>.next}
 * (sequence reservations). Threads: {@code agent-sampler}, {@code agent-publisher}, and Paho's.
 * Guarantees: {@code boot} increases at every start; {@code seq} never repeats within a stream; a reading leaves the
 * agent's memory only once the broker acknowledged it (durable in the spool). Readings still unacknowledged when
 * the process dies are lost (a disk-backed outbox is future work).
 */
public final class EdgeAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeAgent.class);

    private final DeviceConfig config;
    private final long boot;
    private final MqttPublisher publisher;
    private final SamplingScheduler scheduler;

    private EdgeAgent(DeviceConfig config, long boot, MqttPublisher publisher, SamplingScheduler scheduler) {
        this.config = config;
        this.boot = boot;
        this.publisher = publisher;
        this.scheduler = scheduler;
    }

    /** Creates the agent (increments the boot counter); {@link #start()} begins sampling and publishing. */
    public static EdgeAgent create(DeviceConfig config, ReadingListener listener, long samplesPerSensor)
            throws IOException {
        long boot = BootCounter.increment(config.agent().stateDirectory().resolve("agent.boot"));
        List<SamplingScheduler.Channel> channels = new ArrayList<>();
        for (SensorConfig sensor : config.sensors()) {
            channels.add(new SamplingScheduler.Channel(sensor, Drivers.create(sensor),
                    new SequenceStore(config.agent().stateDirectory(), sensor.stream())));
        }
        MqttPublisher publisher;
        try {
            publisher = new MqttPublisher(config.agent(), config.device().id(), listener);
        } catch (MqttException e) {
            throw new IOException("cannot create the MQTT client for " + config.agent().brokerUri() + ": " + e, e);
        }
        SamplingScheduler scheduler = new SamplingScheduler(config.device().id(), boot, channels, publisher::enqueue,
                InstantSource.system(), ClockSync.system(), samplesPerSensor);
        return new EdgeAgent(config, boot, publisher, scheduler);
    }

    /** As {@link #create(DeviceConfig, ReadingListener, long)} without a sample limit. */
    public static EdgeAgent create(DeviceConfig config, ReadingListener listener) throws IOException {
        return create(config, listener, Long.MAX_VALUE);
    }

    public void start() {
        publisher.start();
        scheduler.start();
        LOG.info("[Agent device={}] started: boot {}, {} sensor(s), publishing to {}", config.device().id(), boot,
                config.sensors().size(), config.agent().brokerUri());
    }

    public long boot() {
        return boot;
    }

    /** Readings sampled since start. */
    public long sampled() {
        return scheduler.sampled();
    }

    /** Readings acknowledged by the broker since start. */
    public long acknowledged() {
        return publisher.acknowledged();
    }

    /** Readings dropped because the outbox overflowed. */
    public long dropped() {
        return publisher.dropped();
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
        scheduler.close();
        publisher.close();
    }
}
