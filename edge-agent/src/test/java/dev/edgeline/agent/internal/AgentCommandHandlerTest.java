package dev.edgeline.agent.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.edgeline.agent.Reading;
import dev.edgeline.agent.bus.DigitalOutputPin;
import dev.edgeline.agent.driver.DigitalOutputDriver;
import dev.edgeline.agent.driver.Measurement;
import dev.edgeline.agent.driver.SimulatedAnalogDriver;
import dev.edgeline.config.ClockSync;
import dev.edgeline.config.SensorConfig;
import dev.edgeline.time.Ticker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's own commands against a running scheduler (real threads, a simulated sensor) and a digital output on an
 * in-memory pin: what each action does, what it answers, what it refuses and why, and what survives a restart.
 */
class AgentCommandHandlerTest {
    @TempDir
    Path state;

    private static final SensorConfig.SimulatedAnalog ENV = new SensorConfig.SimulatedAnalog("env",
            Duration.ofHours(1), "C", 20, 0, 0, Duration.ofMinutes(1));
    private static final SensorConfig.DigitalOutput RELAY = new SensorConfig.DigitalOutput("relay",
            Duration.ofHours(1), 23, false);

    /** A pin that remembers its level, as Pi4J's mock output does (Pi4jBusesTest covers that path). */
    static final class MemoryPin implements DigitalOutputPin {
        volatile boolean high;

        @Override
        public void set(boolean value) {
            high = value;
        }

        @Override
        public boolean level() {
            return high;
        }
    }

    private final MemoryPin pin = new MemoryPin();
    private final List<Reading> out = new CopyOnWriteArrayList<>();
    private SamplingScheduler scheduler;
    private DigitalOutputDriver relay;
    private AgentCommandHandler handler;

    @BeforeEach
    void start() throws IOException {
        startAgent(ENV);
    }

    private void startAgent(SensorConfig.SimulatedAnalog env) throws IOException {
        ReadingFactory readings = new ReadingFactory("pi-1", 1, state, List.of("env", "relay", "health"),
                InstantSource.system(), new ClockSync(state.resolve("synced")), MonotonicClock.system());
        relay = new DigitalOutputDriver(RELAY, pin);
        scheduler = new SamplingScheduler(List.of(
                new SamplingScheduler.Channel(env, new SimulatedAnalogDriver(env, new SplittableRandom(1))),
                new SamplingScheduler.Channel(RELAY, relay)),
                readings, new SensorHealth(readings, "health", out::add), out::add, Duration.ofSeconds(10),
                Long.MAX_VALUE, late -> { }, Ticker.system());
        handler = AgentCommandHandler.create(state, scheduler.controls(), Map.of("relay", relay));
        scheduler.start();
    }

    @AfterEach
    void stop() {
        if (scheduler != null) {
            scheduler.close();
        }
    }

    private AgentCommandHandler.Answer send(String json) {
        return handler.handle(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void setPeriod_disable_andReset_changeTheRunningSettings_andAnswerThem() {
        assertThat(send("{\"action\":\"set-period\",\"sensor\":\"env\",\"period\":\"250ms\"}").json())
                .isEqualTo("{\"sensor\":\"env\",\"period\":\"250ms\",\"enabled\":true,\"configured\":false}");
        assertThat(scheduler.control("env").settings().period()).isEqualTo(Duration.ofMillis(250));
        assertThat(send("{\"action\":\"disable\",\"sensor\":\"env\"}").json())
                .isEqualTo("{\"sensor\":\"env\",\"period\":\"250ms\",\"enabled\":false,\"configured\":false}");
        assertThat(send("{\"action\":\"reset\",\"sensor\":\"env\"}").json())
                .isEqualTo("{\"sensor\":\"env\",\"period\":\"1h\",\"enabled\":true,\"configured\":true}");
    }

    @Test
    void settingsSurviveARestart_unlessTheConfiguredPeriodChangedSince() throws IOException {
        send("{\"action\":\"set-period\",\"sensor\":\"env\",\"period\":\"5s\"}");
        send("{\"action\":\"disable\",\"sensor\":\"relay\"}");
        assertThat(Files.readString(state.resolve("sensor-settings")))
                .isEqualTo("env 5000 enabled 3600000\nrelay 3600000 disabled 3600000\n");
        scheduler.close();

        startAgent(ENV);
        assertThat(scheduler.control("env").settings()).isEqualTo(new SensorControl.Settings(Duration.ofSeconds(5), true));
        assertThat(scheduler.control("relay").settings().enabled()).isFalse();
        scheduler.close();

        startAgent(new SensorConfig.SimulatedAnalog("env", Duration.ofMinutes(2), "C", 20, 0, 0, Duration.ofMinutes(1)));
        assertThat(scheduler.control("env").settings()).as("a new configuration is the newer intent")
                .isEqualTo(new SensorControl.Settings(Duration.ofMinutes(2), true));
        assertThat(scheduler.control("relay").settings().enabled()).isFalse();
    }

    @Test
    void aDamagedSettingsFile_isAnErrorNamingTheFileAndLine() throws IOException {
        scheduler.close();
        Files.writeString(state.resolve("sensor-settings"), "env 5000 enabled 3600000\nenv five enabled 1\n");
        assertThatThrownBy(() -> startAgent(ENV)).isInstanceOf(IOException.class)
                .hasMessageContaining("sensor-settings line 2: 'env five enabled 1' is not '<sensor> <period-ms> "
                        + "enabled|disabled <configured-period-ms>'");
        scheduler = null;
    }

    @Test
    void read_takesAReadingNow_numberedAndStoredLikeAnyOther() throws InterruptedException {
        // The sampling thread takes the first scheduled reading at start; wait for it, so "read" is the second.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (out.stream().noneMatch(r -> r.stream().equals("env")) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        AgentCommandHandler.Answer answer = send("{\"action\":\"read\",\"sensor\":\"env\"}");
        assertThat(answer.rejected()).isFalse();
        List<Reading> env = out.stream().filter(r -> r.stream().equals("env")).toList();
        assertThat(env).as("the first scheduled one, and this one").hasSize(2);
        Reading taken = env.stream().filter(r -> answer.json().contains("\"seq\":" + r.seq() + ",")).findFirst()
                .orElseThrow();
        assertThat(answer.json()).isEqualTo("{\"sensor\":\"env\",\"readings\":[{\"stream\":\"env\",\"boot\":1,"
                + "\"seq\":" + taken.seq() + ",\"reading\":" + taken.json() + "}]}");
        assertThat(taken.json()).startsWith("{\"value\":20,\"unit\":\"C\",");
    }

    @Test
    void setOutput_drivesThePin_answersTheLevelBefore_andPublishesTheChange() {
        assertThat(send("{\"action\":\"set-output\",\"output\":\"relay\",\"level\":\"high\"}").json())
                .isEqualTo("{\"output\":\"relay\",\"level\":\"high\",\"before\":\"low\"}");
        assertThat(pin.high).isTrue();
        assertThat(out).filteredOn(r -> r.stream().equals("relay") && r.json().contains("\"event\":\"edge\""))
                .singleElement().satisfies(r -> assertThat(r.json()).startsWith("{\"value\":1,"));
        assertThat(send("{\"action\":\"status\"}").json()).isEqualTo("{\"sensors\":["
                + "{\"sensor\":\"env\",\"period\":\"1h\",\"enabled\":true,\"configured\":true},"
                + "{\"sensor\":\"relay\",\"period\":\"1h\",\"enabled\":true,\"configured\":true}],"
                + "\"outputs\":[{\"output\":\"relay\",\"level\":\"high\"}]}");
    }

    @Test
    void badCommands_areRejectedWithAReasonNamingWhatIsWrong() {
        assertThat(reason("{\"action\":\"set-period\",\"sensor\":\"env\",\"period\":\"soon\"}"))
                .isEqualTo("period 'soon' is not a duration such as 250ms, 5s or 2m");
        assertThat(reason("{\"action\":\"set-period\",\"sensor\":\"env\",\"period\":\"2d\"}"))
                .isEqualTo("period '2d' is not a duration such as 250ms, 5s or 2m");
        assertThat(reason("{\"action\":\"set-period\",\"sensor\":\"env\",\"period\":\"25h\"}"))
                .isEqualTo("period 25h is out of range 1ms..24h");
        assertThat(reason("{\"action\":\"enable\",\"sensor\":\"door\"}")).isEqualTo("no sensor 'door'; sensors: env, relay");
        assertThat(reason("{\"action\":\"set-output\",\"output\":\"env\",\"level\":\"high\"}"))
                .isEqualTo("no digital-output 'env'; outputs: relay");
        assertThat(reason("{\"action\":\"set-output\",\"output\":\"relay\",\"level\":\"on\"}"))
                .isEqualTo("'level' must be \"high\" or \"low\", not 'on'");
        assertThat(reason("{\"sensor\":\"env\"}")).startsWith("'action' is missing; one of: set-period,");
        assertThat(reason("{\"action\":\"reboot\"}")).startsWith("unknown action 'reboot'; one of:");
        assertThat(reason("[1,2]")).isEqualTo("payload is not a JSON object");
        assertThat(reason("{\"action\":")).startsWith("payload is not JSON: ");
        assertThat(handler.handle(new byte[] {(byte) 0xC3, 0x28}).reason()).isEqualTo("payload is not UTF-8");
        assertThat(reason("{\"action\":\"status\",\"pad\":\"" + "x".repeat(5000) + "\"}"))
                .isEqualTo("payload of 5028 bytes is over 4096");
        assertThat(scheduler.control("env").settings()).isEqualTo(scheduler.control("env").configured());
        assertThat(pin.high).isFalse();
    }

    private String reason(String json) {
        AgentCommandHandler.Answer answer = send(json);
        assertThat(answer.rejected()).as(json).isTrue();
        return answer.reason();
    }

    @Test
    void desiredState_isCheckedWhole_thenApplied_andItsOutputLevelsKeptForTheNextReconnect() throws IOException {
        AgentCommandHandler.Answer bad = send("{\"action\":\"desired\",\"desired\":{"
                + "\"sensor/env\":{\"period\":\"5s\"},\"output/relay\":{\"level\":\"on\"},\"sensor/door\":{}}}");
        assertThat(bad.rejected()).isTrue();
        assertThat(bad.reason()).isEqualTo("desired state not applied: output/relay: 'level' must be \"high\" or "
                + "\"low\", not 'on'; sensor/door: no such sensor or output (sensors: env, relay; outputs: relay)");
        assertThat(scheduler.control("env").settings()).as("nothing applied").isEqualTo(
                scheduler.control("env").configured());

        AgentCommandHandler.Answer good = send("{\"action\":\"desired\",\"desired\":{"
                + "\"sensor/env\":{\"period\":\"5s\",\"enabled\":false},\"output/relay\":{\"level\":\"high\"}}}");
        assertThat(good.json()).isEqualTo("{\"applied\":{\"sensors\":["
                + "{\"sensor\":\"env\",\"period\":\"5s\",\"enabled\":false,\"configured\":false},"
                + "{\"sensor\":\"relay\",\"period\":\"1h\",\"enabled\":true,\"configured\":true}],"
                + "\"outputs\":[{\"output\":\"relay\",\"level\":\"high\"}]}}");
        assertThat(pin.high).isTrue();
        assertThat(Files.readString(state.resolve("desired-outputs"))).isEqualTo("relay high\n");

        relay.toSafeState(); // the broker went away
        scheduler.close();
        startAgent(ENV);     // and the agent restarted
        assertThat(pin.high).isFalse();
        handler.applyDesiredOutputs(); // what the command client does once connected
        assertThat(pin.high).isTrue();
        assertThat(scheduler.control("env").settings()).isEqualTo(new SensorControl.Settings(Duration.ofSeconds(5), false));
    }
}
