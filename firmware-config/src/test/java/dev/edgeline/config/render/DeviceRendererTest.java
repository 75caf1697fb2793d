package dev.edgeline.config.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import dev.edgeline.config.ConfigLoader;
import dev.edgeline.config.DeviceConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceRendererTest {
    private static final Path GREENHOUSE = Path.of("../config/examples/greenhouse-pi.yaml");
    private static final Path DEMO = Path.of("../config/demo.yaml");

    private static DeviceConfig load(Path file) throws Exception {
        return ConfigLoader.load(file, Path.of("/var/lib/edgeline"));
    }

    private static DeviceConfig parse(String yaml) throws Exception {
        return ConfigLoader.parse(Path.of("t.yaml"), yaml, Path.of("/var/lib/edgeline"));
    }

    private static String withSensors(String sensors) {
        return """
                device: {id: pi-1}
                spool: {directory: spool}
                agent: {state-directory: agent}
                kafka: {bootstrap-servers: "k:9092", routes: [{mqtt-filter: "edge/#", kafka-topic: t}]}
                sensors:
                """ + sensors;
    }

    @Test
    void greenhouse_enablesExactlyI2cSpiAndOneWireOnItsPin() throws Exception {
        assertThat(BootConfigBlock.settings(load(GREENHOUSE)))
                .containsExactly("dtparam=i2c_arm=on", "dtparam=spi=on", "dtoverlay=w1-gpio,gpiopin=4");
    }

    @Test
    void simulatedAndGpioOnlyDevices_needNoBootSettings() throws Exception {
        assertThat(BootConfigBlock.settings(load(DEMO))).isEmpty();
        assertThat(BootConfigBlock.content(load(DEMO))).isEqualTo("# for device demo-pi-0001: no bus needs enabling\n");
        assertThat(BootConfigBlock.settings(parse(withSensors(
                "  - {stream: door, type: digital-input, period: 1s, gpio-pin: 17}\n")))).isEmpty();
    }

    @Test
    void digitalOutputs_areDrivenToTheirSafeStateByTheFirmware_fromPowerOn() throws Exception {
        DeviceConfig config = parse(withSensors("""
                  - {stream: valve, type: digital-output, period: 1s, gpio-pin: 24}
                  - {stream: relay, type: digital-output, period: 1s, gpio-pin: 23, safe-state: high}
                """).replace("routes: [", "commands: {enabled: true}, routes: ["));
        assertThat(BootConfigBlock.settings(config)).containsExactly("gpio=23=op,dh", "gpio=24=op,dl");
        assertThat(BootConfigBlock.content(config)).startsWith("# for device pi-1: valve (digital-output), relay");
        // Provisioning gives the command queue's directory to the services (it was missing: the command bridge of a
        // provisioned device could not start).
        assertThat(ProvisioningFacts.of(config, MemoryProfile.DEFAULT).toJson())
                .contains("\"commands\": \"/var/lib/edgeline/commands\"}");
    }

    @Test
    void otherBuses_andSeveralOneWirePins_mapToTheirOverlays() throws Exception {
        DeviceConfig config = parse(withSensors("""
                  - {stream: a, type: bme280, period: 1s, i2c-bus: 3}
                  - {stream: b, type: bme280, period: 1s, i2c-bus: 0, address: 0x77}
                  - {stream: c, type: mcp3008, period: 1s, spi-bus: 1, chip-select: 2, channel: 0}
                  - {stream: d, type: mcp3008, period: 1s, spi-bus: 1, chip-select: 0, channel: 1}
                  - {stream: e, type: ds18b20, period: 5s, device-id: 28-000000000001, gpio-pin: 17}
                  - {stream: f, type: ds18b20, period: 5s, device-id: 28-000000000002}
                """));
        assertThat(BootConfigBlock.settings(config)).containsExactly("dtparam=i2c_vc=on", "dtoverlay=i2c3",
                "dtoverlay=spi1-3cs", "dtoverlay=w1-gpio,gpiopin=4", "dtoverlay=w1-gpio,gpiopin=17");
    }

    @Test
    void mergeInto_replacesOnlyItsOwnBlock_andLeavesTheOperatorsLinesAlone() throws Exception {
        String original = "# my settings\narm_boost=1\n[pi4]\ndtoverlay=vc4-kms-v3d\n[all]\n";
        String once = BootConfigBlock.mergeInto(original, load(GREENHOUSE));
        assertThat(once).startsWith(original).contains(BootConfigBlock.BEGIN + "\n# for device greenhouse-pi-01")
                .endsWith("dtoverlay=w1-gpio,gpiopin=4\n" + BootConfigBlock.END + "\n");
        assertThat(BootConfigBlock.mergeInto(once, load(GREENHOUSE))).as("idempotent").isEqualTo(once);
        String changed = BootConfigBlock.mergeInto(once + "gpu_mem=16\n", load(DEMO));
        assertThat(changed).startsWith(original).doesNotContain("dtparam=i2c_arm=on").endsWith("gpu_mem=16\n")
                .contains("# for device demo-pi-0001: no bus needs enabling\n" + BootConfigBlock.END);
    }

    @Test
    void rendering_writesEveryFile_deterministically(@TempDir Path out) throws Exception {
        String yaml = Files.readString(GREENHOUSE);
        DeviceConfig config = load(GREENHOUSE);
        List<Path> written = DeviceRenderer.write(config, yaml, out);
        assertThat(written).extracting(p -> p.getFileName().toString()).containsExactly("config.txt.block",
                "device.yaml", "edge-agent.env", "edge-broker.env", "edge-bridge.env", "modules-load.conf",
                "provisioning.json");
        assertThat(Files.readString(out.resolve("device.yaml"))).isEqualTo(yaml);
        assertThat(Files.readString(out.resolve("edge-broker.env")))
                .contains("# Memory profile 2gb.\nEDGE_JAVA_OPTS=" + MemoryProfile.GB_2.brokerJvmOptions() + "\n")
                .contains("MALLOC_ARENA_MAX=2");
        assertThat(Files.readString(out.resolve("edge-bridge.env")))
                .contains("EDGE_JAVA_OPTS=" + MemoryProfile.GB_2.bridgeJvmOptions() + "\n");
        assertThat(Files.readString(out.resolve("edge-agent.env"))).contains("EDGE_JAVA_OPTS=-Xms8m -Xmx16m ")
                .contains("MALLOC_ARENA_MAX=2");
        assertThat(Files.readString(out.resolve("modules-load.conf"))).endsWith("\ni2c-dev\n");
        assertThat(Files.readString(out.resolve("provisioning.json"))).contains(
                "\"agent_groups\": [\"gpio\", \"i2c\", \"spi\"]", "\"kernel_modules\": [\"i2c-dev\"]",
                "\"mqtt_port\": 1883", "\"broker_health_url\": null", "\"bridge_health_url\": null");
        Map<String, String> again = DeviceRenderer.render(load(GREENHOUSE), yaml);
        for (Map.Entry<String, String> file : again.entrySet()) {
            assertThat(Files.readString(out.resolve(file.getKey()))).as(file.getKey()).isEqualTo(file.getValue());
        }
        try (var files = Files.list(out)) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
        }
    }

    @Test
    void aSmallBoardsProfile_putsTheBridgeInTheBrokersProcess_withSmallHeapsAndUnitLimits(@TempDir Path out)
            throws Exception {
        String yaml = Files.readString(GREENHOUSE);
        DeviceRenderer.write(load(GREENHOUSE), yaml, MemoryProfile.MB_512, out);
        assertThat(Files.readString(out.resolve("edge-broker.env"))).contains("# Memory profile 512mb.")
                .contains("EDGE_JAVA_OPTS=" + MemoryProfile.MB_512.brokerJvmOptions() + "\n")
                .contains("-Xmx96m").contains("MALLOC_ARENA_MAX=2");
        assertThat(Files.readString(out.resolve("provisioning.json"))).contains("\"memory_profile\": {\"name\": "
                + "\"512mb\", \"bridge_separate\": false, \"units\": {\"edge-broker\": {\"memory_high_mib\": "
                + MemoryProfile.MB_512.brokerUnit().highMiB() + ", \"memory_max_mib\": "
                + MemoryProfile.MB_512.brokerUnit().maxMiB() + "}");
        assertThat(DeviceRenderer.render(load(GREENHOUSE), yaml).get("provisioning.json"))
                .contains("\"name\": \"2gb\", \"bridge_separate\": true");
    }

    @Test
    void provisioningFacts_nameTheHealthEndpointsAsTheDeviceReachesThem() throws Exception {
        String yaml = Files.readString(GREENHOUSE) + "monitoring: {host: 0.0.0.0, broker-port: 9301, bridge-port: 9302}\n";
        assertThat(DeviceRenderer.render(parse(yaml), yaml).get("provisioning.json")).contains(
                "\"broker_health_url\": \"http://127.0.0.1:9301/health\"",
                "\"bridge_health_url\": \"http://127.0.0.1:9302/health\"");
    }

    private static List<Error> validate(String yaml) {
        Schema schema = SchemaRegistry.withDialect(Dialects.getDraft202012())
                .getSchema(DeviceRenderer.jsonSchema(), InputFormat.JSON);
        return schema.validate(yaml, InputFormat.YAML);
    }

    @Test
    void schema_acceptsTheExamples() throws Exception {
        for (Path example : List.of(DEMO, GREENHOUSE)) {
            assertThat(validate(Files.readString(example))).as(example.toString()).isEmpty();
        }
    }

    @Test
    void schema_refusesWhatTheLoaderRefuses() throws Exception {
        String greenhouse = Files.readString(GREENHOUSE);
        assertThat(validate(greenhouse.replace("  site: greenhouse-north", "  site: x\n  colour: red")))
                .extracting(Error::getMessage).anyMatch(m -> m.contains("colour"));
        assertThat(validate(greenhouse.replace("address: 0x76", "address: 0x40"))).isNotEmpty();
        assertThat(validate(greenhouse.replace("type: ds18b20", "type: ds18b21"))).isNotEmpty();
        assertThat(validate(greenhouse.replace("period: 30s", "period: soon"))).isNotEmpty();
        assertThat(validate(greenhouse.replace("when-full: block", "when-full: panic"))).isNotEmpty();
    }
}
