package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersionInfoTest {
    @Test
    void versionPrintsTheReleaseAndTheJavaItRunsOn() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Main.run(List.of("--version"), new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(status).isZero();
        assertThat(printed).startsWith("edgeline " + System.getProperty("project.version", "0.1.0-SNAPSHOT"))
                .doesNotContain("${").contains("Java " + Runtime.version().feature())
                .contains(System.getProperty("os.arch"));
    }
}
