package dev.edgeline.benchmarks;

import dev.edgeline.config.render.MemoryProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Service start-up: from starting the device's service processes (broker, and the bridge when the memory profile runs
 * it apart, both at once as systemd starts them) to "MQTT accepting publishes" (a fresh MQTT 5 client's QoS 1 publish
 * acknowledged, so on disk) and to "first record committed in Kafka" (a read_committed consumer sees that publish).
 * Runs the device release itself (its {@code lib/*} class path and {@code jvm.options}, the profile's JVM flags) with a
 * fresh data directory each time, without the JDK's ahead-of-time cache (as releases before it started) and with one
 * trained by {@code edge aot-train} as provisioning trains it, alternating the two; prints the median, min and max
 * of each.
 *
 * <p>Arguments: {@code [runs per variant (5)] [profile (2gb)]}, then optionally {@code --chroot DIR --java PATH
 * --release DIR} to start the services inside another root file system (an arm64 one under qemu-user emulation,
 * {@code bin/bench startup-arm64}); PATH and DIR are as seen inside it. Without them: this JVM's java and the x86_64
 * release built in {@code distribution/target}. Kafka runs on the host either way.
 */
public final class StartupHarness {
    private static final Duration GIVE_UP = Duration.ofMinutes(15);

    private StartupHarness() {}

    /** How service processes are started: here, or inside a chroot (paths given as the device sees them). */
    record Launcher(Path root, String java, String release) {
        /** This machine's JVM (the harness's own java) on a release unpacked at {@code release}. */
        static Launcher local(Path release) {
            return new Launcher(null, ProcessHandle.current().info().command().orElse("java"), release.toString());
        }

        List<String> command(List<String> flags, String... args) {
            List<String> command = new ArrayList<>();
            if (root != null) {
                command.addAll(List.of("chroot", root.toString()));
            }
            command.add(java);
            command.addAll(flags);
            command.addAll(List.of("@" + release + "/jvm.options", "-Dlogback.configurationFile=edge-logback.xml",
                    "-cp", release + "/lib/*", "dev.edgeline.appliance.Main"));
            command.addAll(List.of(args));
            return command;
        }

        /** Where a device path is on this machine. */
        Path host(String devicePath) {
            return root == null ? Path.of(devicePath) : Path.of(root + devicePath);
        }

        String where() {
            return root == null ? System.getProperty("os.arch") + ", this machine" : "inside " + root
                    + " (its own architecture, emulated if foreign)";
        }
    }

    private record Timing(double readySeconds, double committedSeconds) {}

    public static void main(String[] args) throws Exception {
        List<String> positional = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                options.put(args[i].substring(2), args[++i]);
            } else {
                positional.add(args[i]);
            }
        }
        int runs = positional.size() > 0 ? Integer.parseInt(positional.get(0)) : 5;
        MemoryProfile profile = MemoryProfile.named(positional.size() > 1 ? positional.get(1) : "2gb");
        try (WorkDirectory workDirectory = new WorkDirectory("startup-")) {
            Path work = workDirectory.path();
            Launcher launcher = options.containsKey("chroot")
                    ? new Launcher(Path.of(options.get("chroot")), options.get("java"), options.get("release"))
                    : Launcher.local(unpackLocalRelease(work));
            String deviceWork = launcher.root() == null ? work.resolve("device").toString() : "/var/lib/startup-bench";
            Files.createDirectories(launcher.host(deviceWork));
            int kafkaPort = LocalProcesses.freePort();
            String bootstrap = "127.0.0.1:" + kafkaPort;
            Process kafka = LocalProcesses.startKafka(work.resolve("kafka.log"), work.resolve("kafka"), kafkaPort);
            try {
                List<String> brokerFlags = List.of(profile.brokerJvmOptions().split(" "));
                String cache = deviceWork + "/services.aot";
                long trainStart = System.nanoTime();
                int trained = run(launcher.command(concat(brokerFlags, "-XX:AOTCacheOutput=" + cache), "aot-train"),
                        work.resolve("aot-train.log"));
                double trainSeconds = (System.nanoTime() - trainStart) / 1e9;
                if (trained != 0 || !Files.exists(launcher.host(cache))) {
                    throw new IOException("edge aot-train failed (exit " + trained + "); see "
                            + work.resolve("aot-train.log"));
                }
                Map<String, List<Timing>> timings = new LinkedHashMap<>();
                timings.put("without an AOT cache (as before)", new ArrayList<>());
                timings.put("with the AOT cache trained on the device", new ArrayList<>());
                for (int run = 0; run < runs; run++) {
                    boolean cacheFirst = run % 2 != 0;
                    for (int v = 0; v < 2; v++) {
                        boolean withCache = cacheFirst == (v == 0);
                        String name = "run" + run + (withCache ? "-aot" : "-plain");
                        Timing timing = startOnce(launcher, profile, withCache ? cache : null, deviceWork + "/" + name,
                                bootstrap, "startup." + name, work.resolve(name + ".log"));
                        timings.get(withCache ? "with the AOT cache trained on the device"
                                : "without an AOT cache (as before)").add(timing);
                        System.out.printf(Locale.ROOT, "%s: MQTT ready %.2f s, first record committed %.2f s%n", name,
                                timing.readySeconds(), timing.committedSeconds());
                    }
                }
                print(launcher, profile, runs, trainSeconds, Files.size(launcher.host(cache)), timings);
            } finally {
                kafka.destroy();
                kafka.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static List<String> concat(List<String> flags, String flag) {
        List<String> all = new ArrayList<>(flags);
        all.add(flag);
        return all;
    }

    /** The x86_64 device release from {@code distribution/target}, unpacked into {@code work/release}. */
    static Path unpackLocalRelease(Path work) throws IOException, InterruptedException {
        Path target = Path.of(System.getProperty("edge.home", ".")).resolve("distribution/target");
        Path archive;
        try (var files = Files.list(target)) {
            archive = files.filter(f -> f.getFileName().toString().endsWith("-linux-x86_64.tar.xz")).findFirst()
                    .orElseThrow(() -> new IOException("no x86_64 release in " + target + ": run ./mvnw install"));
        }
        Path release = work.resolve("release");
        Files.createDirectories(release);
        if (run(List.of("tar", "-xJf", archive.toString(), "-C", release.toString(), "--strip-components=1"),
                work.resolve("tar.log")) != 0) {
            throw new IOException("could not unpack " + archive);
        }
        return release;
    }

    static int run(List<String> command, Path log) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(GIVE_UP.toMinutes(), TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within " + GIVE_UP);
        }
        return process.exitValue();
    }

    private static Timing startOnce(Launcher launcher, MemoryProfile profile, String cache, String dataDir,
                                    String bootstrap, String topic, Path log) throws Exception {
        Files.createDirectories(launcher.host(dataDir));
        int mqttPort = LocalProcesses.freePort();
        Files.writeString(launcher.host(dataDir + "/device.yaml"), """
                device: {id: startup-pi}
                broker: {listener: {host: 127.0.0.1, port: %d}, data-directory: broker}
                spool: {directory: spool}
                agent: {state-directory: agent}
                kafka:
                  bootstrap-servers: %s
                  routes: [{mqtt-filter: "edge/#", kafka-topic: %s}]
                sensors: []
                """.formatted(mqttPort, bootstrap, topic), StandardCharsets.UTF_8);
        createTopic(bootstrap, topic);
        List<String> brokerFlags = new ArrayList<>(List.of(profile.brokerJvmOptions().split(" ")));
        List<String> bridgeFlags = new ArrayList<>(List.of(profile.bridgeJvmOptions().split(" ")));
        if (cache != null) {
            brokerFlags.add("-XX:AOTCache=" + cache);
            bridgeFlags.add("-XX:AOTCache=" + cache);
        }
        String config = dataDir + "/device.yaml";
        List<Process> services = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = LatencyConsumer.readCommittedConsumer(bootstrap, 50)) {
            TopicPartition partition = new TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            consumer.poll(Duration.ZERO);
            long start = System.nanoTime();
            List<String> brokerArgs = new ArrayList<>(List.of("broker", "--config", config, "--data-dir", dataDir));
            if (profile.bridgeSeparate()) {
                brokerArgs.addAll(List.of("--bridge", "separate"));
            }
            services.add(new ProcessBuilder(launcher.command(brokerFlags, brokerArgs.toArray(String[]::new)))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start());
            if (profile.bridgeSeparate()) {
                services.add(new ProcessBuilder(launcher.command(bridgeFlags, "bridge", "--config", config,
                        "--data-dir", dataDir)).redirectErrorStream(true)
                        .redirectOutput(Path.of(log + ".bridge").toFile()).start());
            }
            double ready = publishFirst(mqttPort, start, services);
            long deadline = start + GIVE_UP.toNanos();
            while (consumer.poll(Duration.ofMillis(20)).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("nothing committed to " + topic + " within " + GIVE_UP + "; see " + log);
                }
            }
            return new Timing(ready, (System.nanoTime() - start) / 1e9);
        } finally {
            for (Process service : services) {
                service.destroy();
            }
            for (Process service : services) {
                if (!service.waitFor(2, TimeUnit.MINUTES)) {
                    service.destroyForcibly();
                }
            }
        }
    }

    /** Connects and publishes one record until it is acknowledged; the seconds from {@code start} until then. */
    private static double publishFirst(int port, long start, List<Process> services) throws Exception {
        long deadline = start + GIVE_UP.toNanos();
        while (System.nanoTime() < deadline) {
            for (Process service : services) {
                if (!service.isAlive()) {
                    throw new IOException("a service exited with " + service.exitValue() + " before MQTT was ready");
                }
            }
            MqttClient client = new MqttClient("tcp://127.0.0.1:" + port, "startup-probe", new MemoryPersistence());
            try {
                MqttConnectionOptions options = new MqttConnectionOptions();
                options.setConnectionTimeout(2);
                client.connect(options);
                client.publish(IdentifiedMessage.topic("startup-pi", "probe"), IdentifiedMessage.of("startup-pi",
                        "probe", 0, "{\"v\":1}".getBytes(StandardCharsets.UTF_8))); // returns once PUBACK arrived
                double seconds = (System.nanoTime() - start) / 1e9;
                client.disconnect();
                return seconds;
            } catch (MqttException e) {
                Thread.sleep(20);
            } finally {
                client.close(true);
            }
        }
        throw new IOException("MQTT not ready within " + GIVE_UP);
    }

    private static void createTopic(String bootstrap, String topic) throws Exception {
        Properties properties = new Properties();
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(properties)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static void print(Launcher launcher, MemoryProfile profile, int runs, double trainSeconds,
                              long cacheBytes, Map<String, List<Timing>> timings) {
        System.out.println();
        System.out.printf(Locale.ROOT, "Start-up, %s: memory profile %s (broker JVM %s; bridge %s), %d runs of each "
                        + "variant alternated, fresh data directory each; %d cores here%n", launcher.where(),
                profile.profileName(), profile.brokerJvmOptions(), profile.bridgeSeparate()
                        ? "its own process, started with the broker" : "in the broker's process", runs,
                Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "AOT training (edge aot-train with -XX:AOTCacheOutput): %.1f s, cache %.1f MB%n",
                trainSeconds, cacheBytes / 1e6);
        System.out.println("| variant | MQTT accepting publishes: median (min-max) | first record committed in Kafka: "
                + "median (min-max) |");
        System.out.println("|---|---|---|");
        for (Map.Entry<String, List<Timing>> variant : timings.entrySet()) {
            System.out.printf(Locale.ROOT, "| %s | %s | %s |%n", variant.getKey(),
                    summary(variant.getValue().stream().mapToDouble(Timing::readySeconds).sorted().toArray()),
                    summary(variant.getValue().stream().mapToDouble(Timing::committedSeconds).sorted().toArray()));
        }
    }

    private static String summary(double[] sorted) {
        return String.format(Locale.ROOT, "%.2f s (%.2f-%.2f)", Stats.median(sorted), sorted[0],
                sorted[sorted.length - 1]);
    }
}
