package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.config.render.JvmFlags;
import dev.edgeline.config.render.MemoryProfile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code edge aot-train} as provisioning runs it: a child JVM with the device's broker flags and
 * {@code -XX:AOTCacheOutput} on the module's jars (the cache holds classes from jars, not from directories) runs a real
 * broker and bridge, every publish acknowledged, and leaves a cache that a later JVM with other heap flags (every
 * profile's bridge flags, a fixed young generation among them) maps and uses.
 */
class AotTrainingIT {
    private static final Path TARGET = Path.of("target");

    @Test
    void training_acknowledgesEveryPublish_andLeavesACacheThatTheServicesUse(@TempDir Path dir) throws Exception {
        Path cache = dir.resolve("services.aot");
        Result training = java(dir, List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:AOTCacheOutput=" + cache),
                "aot-train");
        assertThat(training.status()).as(training.output()).isZero();
        assertThat(training.output()).contains("aot-train: 2,000 of 2,000 publishes acknowledged");
        assertThat(cache).isRegularFile();
        assertThat(Files.size(cache)).isGreaterThan(10_000_000L);
        assertThat(dir.resolve("tmp")).as("the training's temporary directory is deleted").isEmptyDirectory();

        for (MemoryProfile profile : MemoryProfile.values()) {
            if (!profile.bridgeSeparate()) {
                continue;
            }
            List<String> flags = new ArrayList<>(List.of(profile.bridgeJvmOptions().split(" ")));
            flags.addAll(List.of("-XX:AOTCache=" + cache, "-Xlog:aot=info"));
            Result using = java(dir, flags, "--version");
            assertThat(using.status()).as(profile.profileName() + "'s bridge: " + using.output()).isZero();
            assertThat(using.output()).as(profile.profileName() + "'s bridge flags " + profile.bridgeJvmOptions())
                    .contains("Using AOT-linked classes: true").doesNotContain("[error]");
        }
    }

    private record Result(int status, String output) {}

    private static Result java(Path dir, List<String> flags, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        command.addAll(flags);
        Files.createDirectories(dir.resolve("tmp"));
        command.addAll(JvmFlags.services());
        command.addAll(List.of("-Djava.io.tmpdir=" + dir.resolve("tmp"), "-Dlogback.configurationFile=edge-logback.xml",
                "-cp", TARGET.resolve("appliance.jar") + ":" + TARGET.resolve("lib") + "/*", Main.class.getName()));
        command.addAll(List.of(args));
        Path log = dir.resolve("java-" + System.nanoTime() + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("java " + String.join(" ", args) + " did not finish in 5 minutes:\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
