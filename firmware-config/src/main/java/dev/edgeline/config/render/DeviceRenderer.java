package dev.edgeline.config.render;

import dev.edgeline.config.DeviceConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders everything a device needs from its configuration, as files in one directory:
 * <ul>
 *   <li>{@code config.txt.block}: the managed block for the Pi's boot config ({@link BootConfigBlock});</li>
 *   <li>{@code device.yaml}: the validated device YAML, as given (both services read it);</li>
 *   <li>{@code edge-agent.env}, {@code edge-broker.env}, {@code edge-bridge.env}: systemd environment files with each
 *       service's JVM options (the broker's and the bridge's from the board's {@link MemoryProfile}, the agent's
 *       small-footprint flags from {@code agent-jvm-flags.txt}) and two malloc arenas;</li>
 *   <li>{@code modules-load.conf}: kernel modules to load at boot ({@code /etc/modules-load.d/});</li>
 *   <li>{@code provisioning.json}: groups, modules, port and the memory profile's layout and unit limits for the
 *       Ansible roles ({@link ProvisioningFacts}).</li>
 * </ul>
 * Output is deterministic: the same configuration renders the same bytes, so provisioning reports no change when
 * nothing changed. Files are replaced atomically.
 */
public final class DeviceRenderer {
    /** glibc's malloc arenas per process: the default (8 per core) costs resident memory and buys a JVM nothing. */
    private static final String MALLOC_ARENAS = "\nMALLOC_ARENA_MAX=2\n";

    private DeviceRenderer() {}

    /** File name to content, in a fixed order, for a board of the {@linkplain MemoryProfile#DEFAULT default} profile. */
    public static Map<String, String> render(DeviceConfig config, String deviceYaml) {
        return render(config, deviceYaml, MemoryProfile.DEFAULT);
    }

    /** File name to content, in a fixed order, for a board of {@code profile}. */
    public static Map<String, String> render(DeviceConfig config, String deviceYaml, MemoryProfile profile) {
        String header = "# Rendered by bin/edge config render for device " + config.device().id() + "; do not edit.\n";
        Map<String, String> files = new LinkedHashMap<>();
        files.put("config.txt.block", BootConfigBlock.content(config));
        files.put("device.yaml", deviceYaml);
        files.put("edge-agent.env", header + "EDGE_JAVA_OPTS=" + String.join(" ", agentJvmFlags())
                + MALLOC_ARENAS);
        String profileHeader = header + "# Memory profile " + profile.profileName() + ".\n";
        files.put("edge-broker.env", profileHeader + "EDGE_JAVA_OPTS=" + profile.brokerJvmOptions() + MALLOC_ARENAS);
        files.put("edge-bridge.env", profileHeader + "EDGE_JAVA_OPTS=" + profile.bridgeJvmOptions() + MALLOC_ARENAS);
        ProvisioningFacts facts = ProvisioningFacts.of(config, profile);
        StringBuilder modules = new StringBuilder(header);
        facts.kernelModules().forEach(m -> modules.append(m).append('\n'));
        files.put("modules-load.conf", modules.toString());
        files.put("provisioning.json", facts.toJson());
        return files;
    }

    /** Writes {@link #render} into {@code outDirectory} (created if needed); returns the files written. */
    public static List<Path> write(DeviceConfig config, String deviceYaml, Path outDirectory) throws IOException {
        return write(config, deviceYaml, MemoryProfile.DEFAULT, outDirectory);
    }

    /** As above, for a board of {@code profile}. */
    public static List<Path> write(DeviceConfig config, String deviceYaml, MemoryProfile profile, Path outDirectory)
            throws IOException {
        Files.createDirectories(outDirectory);
        List<Path> written = new java.util.ArrayList<>();
        for (Map.Entry<String, String> file : render(config, deviceYaml, profile).entrySet()) {
            Path target = outDirectory.resolve(file.getKey());
            Path tmp = outDirectory.resolve("." + file.getKey() + ".tmp");
            Files.writeString(tmp, file.getValue(), StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            written.add(target);
        }
        return written;
    }

    /** The agent's JVM flags ({@code agent-jvm-flags.txt} on the class path, comments dropped). */
    public static List<String> agentJvmFlags() {
        return JvmFlags.agent();
    }

    /** The JSON Schema of the device YAML (draft 2020-12), for editors. */
    public static String jsonSchema() {
        try (InputStream in = DeviceRenderer.class.getResourceAsStream("device-config.schema.json")) {
            if (in == null) {
                throw new IllegalStateException("device-config.schema.json is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
