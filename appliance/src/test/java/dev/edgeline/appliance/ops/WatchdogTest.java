package dev.edgeline.appliance.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.time.VirtualTicker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watchdog against a real AF_UNIX datagram socket, bound by a Python process standing in for systemd (the
 * protocol of sd_notify(3)): READY=1 first, WATCHDOG=1 while the service is not stuck, none while it is, STOPPING=1
 * at the end. The checks run on a virtual ticker, so the exact sequence of messages is known: no sleeping, no
 * tolerance.
 */
@Timeout(60)
class WatchdogTest {
    private static final String RECEIVER = """
            import socket, sys
            name = sys.argv[1]
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.bind(("\\0" + name[1:]) if name.startswith("@") else name)
            print("BOUND", flush=True)
            while True:
                message = s.recv(4096).decode()
                print(message.replace("\\n", "|"), flush=True)
                if "STOPPING=1" in message:
                    break
            """;

    @Test
    void ready_thenFedOnlyWhileNotStuck_thenStopping(@TempDir Path dir) throws Exception {
        exercise(dir, dir.resolve("notify.sock").toString());
    }

    @Test
    void anAbstractSocketNameWorksToo(@TempDir Path dir) throws Exception {
        exercise(dir, "@edgeline-watchdog-test-" + ProcessHandle.current().pid());
    }

    @Test
    void feedsFourTimesPerIntervalButNotMoreOftenThanEvery100Ms() {
        assertThat(Watchdog.feedingPeriod(Duration.ofSeconds(60))).isEqualTo(Duration.ofSeconds(15));
        assertThat(Watchdog.feedingPeriod(Duration.ofMillis(200))).isEqualTo(Duration.ofMillis(100));
    }

    private static void exercise(Path dir, String socketName) throws Exception {
        Path script = dir.resolve("receiver.py");
        Files.writeString(script, RECEIVER);
        Process receiver = new ProcessBuilder("python3", script.toString(), socketName).redirectErrorStream(true)
                .start();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(receiver.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    received.add(line);
                }
            } catch (java.io.IOException e) {
                received.add("EOF " + e);
            }
        });
        try {
            assertThat(received.poll(20, TimeUnit.SECONDS)).isEqualTo("BOUND");
            AtomicBoolean stuck = new AtomicBoolean();
            VirtualTicker ticker = new VirtualTicker(1);
            Watchdog watchdog = Watchdog.start(Optional.of(SdNotify.to(socketName)), Optional.of(Duration.ofMillis(400)),
                    ticker, "test-service", stuck::get, () -> "all well");
            ticker.runFor(Duration.ofMillis(250)); // checks at 0, 100 and 200 ms
            stuck.set(true);
            ticker.runFor(Duration.ofMillis(400)); // 300 to 600 ms: four checks, none of them feeds
            stuck.set(false);
            ticker.runFor(Duration.ofMillis(100)); // 700 ms: fed again
            watchdog.close();
            List<String> expected = new ArrayList<>();
            expected.add("READY=1|STATUS=all well");
            expected.addAll(Collections.nCopies(3, "WATCHDOG=1|STATUS=all well"));
            expected.addAll(Collections.nCopies(4, "STATUS=stuck: all well"));
            expected.add("WATCHDOG=1|STATUS=all well");
            expected.add("STOPPING=1");
            List<String> messages = new ArrayList<>();
            for (String message; messages.size() < expected.size()
                    && (message = received.poll(10, TimeUnit.SECONDS)) != null; ) {
                messages.add(message);
            }
            assertThat(messages).containsExactlyElementsOf(expected);
        } finally {
            receiver.destroyForcibly();
            receiver.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
