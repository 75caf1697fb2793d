package dev.edgeline.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigRenderCommandTest {
    private static final Path DEMO = Path.of("../config/demo.yaml");

    private record Result(int status, String out, String err) {}

    private static Result render(Path out, String... options) {
        List<String> args = new ArrayList<>(List.of("config", "render", DEMO.toString(), "--out", out.toString()));
        args.addAll(List.of(options));
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8));
        return new Result(status, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theDeviceMemory_picksTheProfile_whoseLayoutAndHeapsAreRendered(@TempDir Path out) throws Exception {
        assertThat(render(out, "--device-memory", "427").status()).isZero();
        assertThat(Files.readString(out.resolve("edge-broker.env"))).contains("# Memory profile 512mb.", "-Xmx96m");
        assertThat(Files.readString(out.resolve("provisioning.json"))).contains("\"bridge_separate\": false");

        assertThat(render(out, "--memory-profile", "1gb").status()).isZero();
        assertThat(Files.readString(out.resolve("edge-broker.env"))).contains("# Memory profile 1gb.", "-Xmx192m");
        assertThat(Files.readString(out.resolve("provisioning.json"))).contains("\"bridge_separate\": true");

        assertThat(render(out).status()).isZero();
        assertThat(Files.readString(out.resolve("edge-broker.env"))).contains("# Memory profile 2gb.");
    }

    @Test
    void aWrongProfileOrMemory_isAUsageErrorThatSaysWhatIsKnown(@TempDir Path out) {
        Result unknown = render(out, "--memory-profile", "256mb");
        assertThat(unknown.status()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(unknown.err()).contains("--memory-profile: memory profile '256mb' is not one of "
                + "[512mb, 1gb, 2gb, 4gb]");
        Result notANumber = render(out, "--device-memory", "1GB");
        assertThat(notANumber.status()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(notANumber.err()).contains("--device-memory '1GB' is not a whole number of MiB");
        assertThat(render(out, "--device-memory", "900", "--memory-profile", "1gb").err())
                .contains("give --memory-profile or --device-memory, not both");
        assertThat(out).isEmptyDirectory();
    }
}
