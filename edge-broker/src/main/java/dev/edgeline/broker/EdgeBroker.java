package dev.edgeline.broker;

import dev.edgeline.config.DurableDirectories;
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import dev.edgeline.broker.internal.BrokerHealth;
import dev.edgeline.broker.internal.ClientDirectory;
import dev.edgeline.broker.internal.DurableAckGate;
import dev.edgeline.broker.internal.EdgeAuthenticator;
import dev.edgeline.broker.internal.IdentityJumpGuard;
import dev.edgeline.broker.internal.RetransmissionTracker;
import dev.edgeline.broker.internal.HiveMqConfigFile;
import dev.edgeline.broker.internal.PublishIdentity;
import dev.edgeline.broker.internal.PublishQuotas;
import dev.edgeline.broker.internal.RefusalLog;
import dev.edgeline.broker.internal.SpoolingPublishInterceptor;
import dev.edgeline.broker.internal.SparkplugHost;
import dev.edgeline.broker.sparkplug.RebirthRequests;
import dev.edgeline.broker.sparkplug.SparkplugIngest;
import dev.edgeline.broker.spool.Spool;
import dev.edgeline.config.BrokerConfig;
import dev.edgeline.config.ClockSync;
import dev.edgeline.config.DeviceConfig;
import dev.edgeline.config.PasswordFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded HiveMQ CE broker of the device, with the spooling publish interceptor installed for every client.
 *
 * <p>Files: {@code <data-directory>/conf/config.xml} (generated), {@code <data-directory>/data} (HiveMQ's own data),
 * {@code <data-directory>/extensions} (empty; our extension is embedded). Third-party records get the spool's boot.
 * Threads: HiveMQ's (Netty event loops, extension executors). {@link #close()} stops them all; a failed start
 * closes everything it started before it throws.
 */
public final class EdgeBroker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeBroker.class);

    /** Why a publish may be refused: the label values of the refusal counter. */
    public static final java.util.List<String> REFUSAL_REASONS = RefusalLog.REASONS;
    /** Why a connection may be refused: the label values of the connection refusal counter. */
    public static final java.util.List<String> CONNECTION_REFUSAL_REASONS = RefusalLog.CONNECTION_REASONS;

    private final EmbeddedHiveMQ hivemq;
    private final String logPrefix;
    private final long boot;
    private final RefusalLog refusals;
    private final RefusalLog connectionRefusals;

    private EdgeBroker(EmbeddedHiveMQ hivemq, String logPrefix, long boot, RefusalLog refusals,
                       RefusalLog connectionRefusals) {
        this.hivemq = hivemq;
        this.logPrefix = logPrefix;
        this.boot = boot;
        this.refusals = refusals;
        this.connectionRefusals = connectionRefusals;
    }

    /** Publishes from the broker itself (a Sparkplug rebirth request), QoS 0. */
    private static void publishAtMostOnce(String topic, byte[] payload) {
        Services.publishService().publish(com.hivemq.extension.sdk.api.services.builder.Builders.publish()
                .topic(topic).qos(com.hivemq.extension.sdk.api.packets.general.Qos.AT_MOST_ONCE)
                .payload(java.nio.ByteBuffer.wrap(payload)).build());
    }

    /** Starts the broker on the configured listener with {@code spool} behind it. */
    public static EdgeBroker start(DeviceConfig config, Spool spool, ClockSync clockSync) throws IOException {
        String logPrefix = "[Broker device=" + config.device().id() + "] ";
        long boot = spool.boot();
        Path data = config.broker().dataDirectory();
        HiveMqConfigFile.write(data.resolve("conf"), config.broker());
        DurableDirectories.create(data.resolve("data"));
        DurableDirectories.create(data.resolve("extensions"));
        Optional<PasswordFile> passwords = readPasswords(config);
        DurableAckGate gate = new DurableAckGate((clientId, failure) -> Services.clientService()
                .disconnectClient(clientId, false, DurableAckGate.reasonFor(failure), failure.getMessage()));
        String device = config.device().id();
        RetransmissionTracker retransmissions = new RetransmissionTracker();
        retransmissions.restore(spool.storedOrigins());
        Optional<String> agentUser = Optional.of(config.agent().username()).filter(u -> !u.isEmpty());
        Optional<String> commandBridgeUser = config.bridge().commands().enabled()
                ? Optional.of(config.bridge().commands().mqttUsername()).filter(u -> !u.isEmpty()) : Optional.empty();
        ClientDirectory clients = new ClientDirectory(config.broker(), device, agentUser, commandBridgeUser);
        RefusalLog refusals = new RefusalLog();
        var interceptor = new SpoolingPublishInterceptor(spool, config.bridge(), clients,
                new PublishIdentity(device, boot),
                new IdentityJumpGuard(spool, config.broker().identityLimits(), InstantSource.system()), retransmissions,
                new BrokerHealth(spool, config.bridge(), device, boot, InstantSource.system()), clockSync,
                InstantSource.system(), gate, refusals,
                new PublishQuotas(config.broker().quotas(), System::nanoTime),
                new SparkplugHost(new SparkplugIngest(device, data.resolve("data")),
                        new RebirthRequests(EdgeBroker::publishAtMostOnce, System::nanoTime), boot));
        RefusalLog connectionRefusals = new RefusalLog("connection", RefusalLog.DEFAULT_INTERVAL, System::nanoTime);
        var security = new SecurityParts(config.broker(), passwords, clients, connectionRefusals);
        EmbeddedExtension extension = EmbeddedExtension.builder()
                .withId("edge-spool")
                .withName("Edge spool")
                .withVersion("1")
                .withPriority(1000)
                .withStartPriority(1000)
                .withExtensionMain(new SpoolExtension(interceptor, gate, security))
                .build();
        EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(data.resolve("conf"))
                .withDataFolder(data.resolve("data"))
                .withExtensionsFolder(data.resolve("extensions"))
                .withEmbeddedExtension(extension)
                .withoutLoggingBootstrap()
                .build();
        try {
            hivemq.start().get(config.broker().startTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeQuietly(hivemq, logPrefix);
            throw new IOException("interrupted while starting the MQTT broker", e);
        } catch (TimeoutException e) {
            closeQuietly(hivemq, logPrefix);
            throw new IOException("MQTT broker did not start on " + describe(config.broker()) + " within "
                    + config.broker().startTimeout().toSeconds() + " s (broker.start-timeout): HiveMQ was still "
                    + "starting its listeners and extensions; on a slow board, raise broker.start-timeout", e);
        } catch (ExecutionException e) {
            closeQuietly(hivemq, logPrefix);
            throw new IOException("MQTT broker failed to start on " + describe(config.broker()) + ": "
                    + causeOf(e), e.getCause() != null ? e.getCause() : e);
        }
        LOG.info("{}MQTT listening on {} (broker boot {}; {})", logPrefix, describe(config.broker()), boot,
                passwords.isPresent() ? "passwords required" : "no password file");
        return new EdgeBroker(hivemq, logPrefix, boot, refusals, connectionRefusals);
    }

    private static Optional<PasswordFile> readPasswords(DeviceConfig config) throws IOException {
        Optional<Path> file = config.broker().auth().flatMap(BrokerConfig.BrokerAuth::passwordFile);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(PasswordFile.read(file.get()));
        } catch (PasswordFile.InvalidPasswordFileException e) {
            throw new IOException("broker.auth.password-file: " + e.getMessage(), e);
        }
    }

    private static String describe(BrokerConfig broker) {
        return broker.listeners().stream()
                .map(l -> l.host() + ":" + l.port() + (l.tls().isEmpty() ? "" : l.requiresClientCertificate()
                        ? " (mTLS)" : " (TLS)"))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** What the authenticator is made of; built before HiveMQ starts, the authenticator itself inside it. */
    private record SecurityParts(BrokerConfig broker, Optional<PasswordFile> passwords, ClientDirectory clients,
                                 RefusalLog refusals) {
        EdgeAuthenticator authenticator() {
            return new EdgeAuthenticator(broker, passwords, clients, Services.extensionExecutorService(), refusals);
        }
    }

    /** Connections refused since start, per reason (one of {@link #CONNECTION_REFUSAL_REASONS}). Thread-safe. */
    public Map<String, Long> refusedConnections() {
        return connectionRefusals.counts();
    }

    /** Publishes refused since start, per reason (one of {@link #REFUSAL_REASONS}). Thread-safe. */
    public Map<String, Long> refusedPublishes() {
        return refusals.counts();
    }

    /** The boot number assigned to records of publishers without identity (the spool's). */
    public long boot() {
        return boot;
    }

    private static void closeQuietly(EmbeddedHiveMQ hivemq, String logPrefix) {
        try {
            hivemq.close();
        } catch (ExecutionException | RuntimeException e) {
            LOG.warn("{}error while closing a broker that failed to start: {}", logPrefix, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the broker: clients are disconnected; pending acknowledgements are not sent. */
    @Override
    public void close() {
        try {
            hivemq.stop().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | RuntimeException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (String.valueOf(cause.getMessage()).contains("closed")) {
                // On SIGTERM HiveMQ's own shutdown hook may have stopped it first: nothing left to stop.
                LOG.debug("{}broker already stopped: {}", logPrefix, cause.toString());
            } else {
                LOG.warn("{}broker stop failed: {}", logPrefix, cause.toString());
            }
        } catch (TimeoutException e) {
            LOG.warn("{}broker stop did not finish within 30 s", logPrefix);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(hivemq, logPrefix);
        LOG.info("{}stopped", logPrefix);
    }

    /** Installs the interceptors for every client that connects. */
    private record SpoolExtension(SpoolingPublishInterceptor interceptor, DurableAckGate gate, SecurityParts security)
            implements ExtensionMain {
        @Override
        public void extensionStart(@NotNull ExtensionStartInput input, @NotNull ExtensionStartOutput output) {
            EdgeAuthenticator authenticator = security.authenticator();
            Services.securityRegistry().setAuthenticatorProvider(providerInput -> authenticator);
            Services.initializerRegistry().setClientInitializer((initializerInput, clientContext) -> {
                clientContext.addPublishInboundInterceptor(interceptor);
                clientContext.addPubackOutboundInterceptor(gate);
                clientContext.addPubrecOutboundInterceptor(gate);
            });
            Services.eventRegistry().setClientLifecycleEventListener(listenerInput -> gate.lifecycleListener());
        }

        @Override
        public void extensionStop(@NotNull ExtensionStopInput input, @NotNull ExtensionStopOutput output) {
            // Nothing to release: the spool belongs to whoever opened it.
        }
    }

    /** The first message along the chain of causes (never "null"); the innermost cause's type when none has one. */
    static String causeOf(Throwable failure) {
        Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
        while (true) {
            String message = cause.getMessage();
            if (message != null && !message.isBlank()) {
                return message;
            }
            if (cause.getCause() == null || cause.getCause() == cause) {
                return cause.getClass().getSimpleName() + " (no message)";
            }
            cause = cause.getCause();
        }
    }
}
