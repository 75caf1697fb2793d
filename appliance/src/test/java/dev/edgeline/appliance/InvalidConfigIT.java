package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invalid device configs through the real commands: each gives the precise error with its path, exit status 2, and
 * nothing starts (no data directory written, nothing listening).
 */
class InvalidConfigIT {
    private static final String VALID = """
            device:
              id: pi-0042
            broker:
              listener:
                port: %PORT%
            spool:
              directory: spool
            agent:
              state-directory: agent
            kafka:
              bootstrap-servers: 127.0.0.1:9092
              routes:
                - mqtt-filter: "edge/#"
                  kafka-topic: readings
            sensors:
              - stream: temperature
                type: simulated-analog
                period: 1s
              - stream: door
                type: simulated-digital
                period: 1s
            """;

    static Stream<Arguments> invalidConfigs() {
        return Stream.of(
                Arguments.of("unknown sensor type",
                        VALID.replace("type: simulated-digital", "type: bme281"),
                        "sensors[1].type: unknown sensor type 'bme281'; known types: simulated-analog, simulated-digital, "
                                + "bme280, ds18b20, mcp3008, digital-input"),
                Arguments.of("bad port",
                        VALID.replace("port: %PORT%", "port: 70000"),
                        "broker.listener.port: 70000 is out of range 1..65535"),
                Arguments.of("missing device id",
                        VALID.replace("  id: pi-0042", "  site: lab"),
                        "device.id: is required"),
                Arguments.of("duplicate stream names",
                        VALID.replace("stream: door", "stream: temperature"),
                        "sensors[1].stream: duplicate stream name 'temperature' (already used by sensors[0])"),
                Arguments.of("malformed YAML",
                        VALID.replace("  id: pi-0042", "  id: [pi-0042"),
                        "<file>: malformed YAML at line"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidConfigs")
    void configValidate_reportsThePreciseError_withStatus2(String name, String yaml, String expected,
                                                           @TempDir Path dir) throws IOException {
        Path file = write(dir, yaml, 1883);
        EdgeCommand result = EdgeCommand.run(List.of("config", "validate", file.toString()));
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).contains(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidConfigs")
    void brokerAndAgent_refuseToStart_andTouchNothing(String name, String yaml, String expected, @TempDir Path dir)
            throws IOException {
        int port = TestDevice.freePort();
        Path file = write(dir, yaml, port);
        Path dataDir = dir.resolve("data");
        for (String command : List.of("broker", "agent")) {
            EdgeCommand result = EdgeCommand.run(List.of(command, "--config", file.toString(), "--data-dir", dataDir.toString()));
            assertThat(result.status()).as(command + " exit status").isEqualTo(2);
            assertThat(result.err()).contains(expected);
        }
        assertThat(Files.exists(dataDir)).as("nothing written").isFalse();
        assertThat(TestDevice.listening(port)).as("nothing listening on the configured port").isFalse();
    }

    @org.junit.jupiter.api.Test
    void brokerWithAnUnknownBridgePlacement_refusesToStart_namingTheOption_andTouchesNothing(@TempDir Path dir)
            throws IOException {
        int port = TestDevice.freePort();
        Path dataDir = dir.resolve("data");
        EdgeCommand result = EdgeCommand.run(List.of("broker", "--config", write(dir, VALID, port).toString(), "--data-dir",
                dataDir.toString(), "--bridge", "elsewhere"));
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).contains("--bridge 'elsewhere' is neither in-process (the default) nor separate");
        assertThat(Files.exists(dataDir)).as("nothing written").isFalse();
        assertThat(TestDevice.listening(port)).as("nothing listening on the configured port").isFalse();
    }

    @org.junit.jupiter.api.Test
    void agentWithoutTheConfiguredHardware_failsAtStart_namingTheMissingBus_andTouchesNothing(@TempDir Path dir)
            throws IOException {
        String yaml = VALID.replace("""
                  - stream: door
                    type: simulated-digital
                    period: 1s
                """, """
                  - stream: env
                    type: bme280
                    period: 1s
                """);
        Path dataDir = dir.resolve("data");
        EdgeCommand result = EdgeCommand.run(List.of("agent", "--config", write(dir, yaml, 1883).toString(), "--data-dir",
                dataDir.toString()));
        assertThat(result.status()).isEqualTo(1);
        assertThat(result.err()).contains("edge agent: /dev/i2c-1: sensor 'env' (bme280) needs I2C bus 1: enable it "
                + "with dtparam=i2c_arm=on in config.txt and load i2c-dev");
        assertThat(Files.exists(dataDir)).as("nothing written").isFalse();
    }

    @org.junit.jupiter.api.Test
    void severalErrors_areAllReportedInOneRun(@TempDir Path dir) throws IOException {
        String yaml = VALID.replace("port: %PORT%", "port: 0").replace("period: 1s", "period: soon")
                .replace("kafka-topic: readings", "kafka-topic: bad/topic").replace("  id: pi-0042", "  id: pi-0042\n  colour: red");
        EdgeCommand result = EdgeCommand.run(List.of("config", "validate", write(dir, yaml, 0).toString()));
        assertThat(result.status()).isEqualTo(2);
        assertThat(result.err()).contains("broker.listener.port: 0 is out of range 1..65535")
                .contains("sensors[0].period: 'soon' is not a duration")
                .contains("kafka.routes[0].kafka-topic: 'bad/topic' is not a valid Kafka topic name")
                .contains("device.colour: unknown key");
    }

    private static Path write(Path dir, String yaml, int port) throws IOException {
        Path file = dir.resolve("device.yaml");
        Files.writeString(file, yaml.replace("%PORT%", Integer.toString(port)));
        return file;
    }
}
