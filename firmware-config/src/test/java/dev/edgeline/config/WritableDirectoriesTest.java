package dev.edgeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WritableDirectoriesTest {
    @TempDir
    Path dir;

    private DeviceConfig config(String spool) throws InvalidConfigException {
        return ConfigLoader.parse(Path.of("d.yaml"), """
                device: {id: pi-1}
                spool: {directory: %s}
                agent: {state-directory: agent}
                kafka: {bootstrap-servers: "k:9092", routes: [{mqtt-filter: "edge/#", kafka-topic: t}]}
                sensors: []
                """.formatted(spool), dir);
    }

    @Test
    void directoriesThatExistOrCanBeCreated_pass() throws Exception {
        Files.createDirectories(dir.resolve("agent"));
        WritableDirectories.check(Path.of("d.yaml"), config("new/spool"));
    }

    @Test
    void aDirectoryUnderAFile_orAFileInItsPlace_isAnErrorWithItsPath() throws Exception {
        Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> WritableDirectories.check(Path.of("d.yaml"), config("file/spool")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.errors())
                        .extracting(ConfigError::toString).containsExactly("spool.directory: " + dir.resolve("file/spool")
                                + " does not exist and cannot be created: " + dir.resolve("file") + " is not a directory"));
        assertThatThrownBy(() -> WritableDirectories.check(Path.of("d.yaml"), config("file")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.errors())
                        .extracting(ConfigError::toString).containsExactly("spool.directory: " + dir.resolve("file")
                                + " exists and is not a directory"));
    }

    @Test
    void withCommands_theCommandQueuesDirectory_isCheckedForTheBridge() throws Exception {
        Files.writeString(dir.resolve("commands"), "a file where the command queue's directory should be");
        DeviceConfig config = ConfigLoader.parse(Path.of("d.yaml"), """
                device: {id: pi-1}
                spool: {directory: spool}
                agent: {state-directory: agent}
                kafka: {bootstrap-servers: "k:9092", routes: [{mqtt-filter: "edge/#", kafka-topic: t}],
                        commands: {enabled: true}}
                sensors: []
                """, dir);
        WritableDirectories.check(Path.of("d.yaml"), config, java.util.EnumSet.of(DeviceService.AGENT));
        assertThatThrownBy(() -> WritableDirectories.check(Path.of("d.yaml"), config,
                java.util.EnumSet.of(DeviceService.BRIDGE)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.errors())
                        .extracting(ConfigError::toString).containsExactly("kafka.commands.directory: "
                                + dir.resolve("commands") + " exists and is not a directory"));
    }
}
