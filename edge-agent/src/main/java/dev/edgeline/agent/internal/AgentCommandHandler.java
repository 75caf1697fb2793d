package dev.edgeline.agent.internal;

import dev.edgeline.agent.Reading;
import dev.edgeline.agent.driver.DigitalOutputDriver;
import dev.edgeline.config.Durations;
import dev.edgeline.config.JsonStrings;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Carries out the agent's own commands (target {@code agent}): a JSON object with an {@code action}.
 *
 * <pre>
 * {"action":"set-period","sensor":"env","period":"10s"}   sampling period, 1ms..24h
 * {"action":"disable","sensor":"env"}  {"action":"enable","sensor":"env"}
 * {"action":"reset","sensor":"env"}                          back to the configuration's period, enabled
 * {"action":"read","sensor":"env"}                           read it now: the readings in the answer (and in Kafka)
 * {"action":"set-output","output":"relay","level":"high"}   a digital-output: high or low
 * {"action":"status"}                                        every sensor's settings and every output's level
 * {"action":"desired","desired":{"sensor/env":{"period":"10s","enabled":true},"output/relay":{"level":"high"}}}
 * </pre>
 * The last is the device's desired state, which the command bridge reads from its compacted topic: every entry is
 * checked first and nothing is applied when one is wrong; the output levels are kept ({@code <state>/desired-outputs})
 * and applied again whenever the agent reconnects after a broker loss (which put them in their safe state).
 *
 * Each answer is a JSON object ({@link Answer#json()}), or a rejection with a reason that names what is wrong. A
 * settings change is stored durably ({@link SensorSettingsStore}) before it is answered. Called by one thread at a
 * time (the command responder's).
 */
public final class AgentCommandHandler {
    /** The target the agent answers on: {@code edge/<device>/commands/agent}. */
    public static final String TARGET = "agent";
    static final int MAX_PAYLOAD_BYTES = 4096;

    /** A completed command's answer ({@code rejected} false, the JSON) or a rejection ({@code reason}). */
    public record Answer(boolean rejected, String json, String reason) {
        static Answer completed(String json) {
            return new Answer(false, json, "");
        }

        static Answer rejected(String reason) {
            return new Answer(true, "", reason);
        }
    }

    private final Map<String, SensorControl> sensors;
    private final Map<String, DigitalOutputDriver> outputs;
    private final SensorSettingsStore store;
    private final Duration readTimeout;
    private final java.nio.file.Path desiredOutputsFile;
    /** The desired level of each output, by name (applied on every reconnect). */
    private final Map<String, Boolean> desiredOutputs = new java.util.TreeMap<>();

    /**
     * The handler of an agent whose state directory is {@code stateDirectory}: applies the settings stored there by
     * earlier commands to {@code sensors} first.
     *
     * @throws IOException when the stored settings cannot be read (the error names the file and line)
     */
    public static AgentCommandHandler create(java.nio.file.Path stateDirectory, Map<String, SensorControl> sensors,
                                             Map<String, DigitalOutputDriver> outputs) throws IOException {
        SensorSettingsStore store = new SensorSettingsStore(stateDirectory.resolve("sensor-settings"));
        Map<String, dev.edgeline.config.SensorConfig> configured = new java.util.HashMap<>();
        sensors.forEach((name, control) -> configured.put(name, control.sensor()));
        store.load(configured).forEach((name, settings) -> sensors.get(name).apply(settings));
        AgentCommandHandler handler = new AgentCommandHandler(sensors, outputs, store, Duration.ofSeconds(10),
                stateDirectory.resolve("desired-outputs"));
        handler.loadDesiredOutputs();
        return handler;
    }

    AgentCommandHandler(Map<String, SensorControl> sensors, Map<String, DigitalOutputDriver> outputs,
                        SensorSettingsStore store, Duration readTimeout, java.nio.file.Path desiredOutputsFile) {
        this.sensors = Map.copyOf(sensors);
        this.outputs = Map.copyOf(outputs);
        this.store = store;
        this.readTimeout = readTimeout;
        this.desiredOutputsFile = desiredOutputsFile;
    }

    /** Reads the desired output levels kept by an earlier desired state ({@code <output> high|low} per line). */
    private void loadDesiredOutputs() throws IOException {
        if (!java.nio.file.Files.exists(desiredOutputsFile)) {
            return;
        }
        int number = 0;
        for (String line : java.nio.file.Files.readAllLines(desiredOutputsFile, StandardCharsets.US_ASCII)) {
            number++;
            String[] fields = line.strip().split(" ");
            if (line.isBlank()) {
                continue;
            }
            if (fields.length != 2 || !fields[1].matches("high|low")) {
                throw new IOException(desiredOutputsFile + " line " + number + ": '" + line + "' is not '<output> "
                        + "high|low' (fix or remove the file: the outputs then wait for the next desired state)");
            }
            if (outputs.containsKey(fields[0])) {
                desiredOutputs.put(fields[0], fields[1].equals("high"));
            }
        }
    }

    /**
     * Drives every output to its desired level, if a desired state named one: what the agent does when its command
     * connection is (re)established, the outputs having been in their safe state while it was lost.
     */
    public void applyDesiredOutputs() throws IOException {
        for (Map.Entry<String, Boolean> entry : desiredOutputs.entrySet()) {
            outputs.get(entry.getKey()).set(entry.getValue());
        }
    }

    private Answer desired(Map<?, ?> command) throws Rejection {
        if (!(command.get("desired") instanceof Map<?, ?> document)) {
            throw new Rejection("'desired' must be a JSON object of sensor/<name> and output/<name> entries");
        }
        List<String> problems = new ArrayList<>();
        Map<SensorControl, SensorControl.Settings> sensorChanges = new java.util.LinkedHashMap<>();
        Map<String, Boolean> outputLevels = new java.util.TreeMap<>();
        for (Map.Entry<?, ?> entry : document.entrySet()) {
            String key = String.valueOf(entry.getKey());
            if (!(entry.getValue() instanceof Map<?, ?> value)) {
                problems.add(key + ": not a JSON object");
                continue;
            }
            if (key.startsWith("sensor/") && sensors.containsKey(key.substring(7))) {
                SensorControl control = sensors.get(key.substring(7));
                Duration period = control.settings().period();
                if (value.containsKey("period")) {
                    try {
                        period = period(String.valueOf(value.get("period")));
                    } catch (Rejection e) {
                        problems.add(key + ": " + e.getMessage());
                        continue;
                    }
                }
                Object enabled = value.containsKey("enabled") ? value.get("enabled") : control.settings().enabled();
                if (!(enabled instanceof Boolean on)) {
                    problems.add(key + ": enabled must be true or false");
                    continue;
                }
                sensorChanges.put(control, new SensorControl.Settings(period, on));
            } else if (key.startsWith("output/") && outputs.containsKey(key.substring(7))) {
                try {
                    outputLevels.put(key.substring(7), high(value.get("level")));
                } catch (Rejection e) {
                    problems.add(key + ": " + e.getMessage());
                }
            } else {
                problems.add(key + ": no such sensor or output (sensors: " + names(sensors) + "; outputs: "
                        + names(outputs) + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new Rejection("desired state not applied: " + String.join("; ", problems));
        }
        sensorChanges.forEach(SensorControl::apply);
        try {
            store.save(sensors.values());
            StringBuilder lines = new StringBuilder();
            outputLevels.forEach((name, high) -> lines.append(name).append(high ? " high" : " low").append('\n'));
            dev.edgeline.config.BootCounter.writeDurably(desiredOutputsFile, lines.toString().strip());
            desiredOutputs.clear();
            desiredOutputs.putAll(outputLevels);
            applyDesiredOutputs();
        } catch (IOException e) {
            throw new Rejection("desired state applied in part, then: " + e.getMessage());
        }
        return Answer.completed("{\"applied\":" + status() + "}");
    }

    public Answer handle(byte[] payload) {
        if (payload.length > MAX_PAYLOAD_BYTES) {
            return Answer.rejected("payload of " + payload.length + " bytes is over " + MAX_PAYLOAD_BYTES);
        }
        Map<?, ?> command;
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(payload)).toString();
            Object parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
            if (!(parsed instanceof Map<?, ?> map)) {
                return Answer.rejected("payload is not a JSON object");
            }
            command = map;
        } catch (CharacterCodingException e) {
            return Answer.rejected("payload is not UTF-8");
        } catch (RuntimeException e) {
            return Answer.rejected("payload is not JSON: " + firstLine(e.getMessage()));
        }
        String action = string(command, "action").orElse("");
        try {
            return switch (action) {
                case "set-period" -> setPeriod(command);
                case "enable", "disable" -> change(command, control -> new SensorControl.Settings(
                        control.settings().period(), action.equals("enable")));
                case "reset" -> change(command, SensorControl::configured);
                case "read" -> read(command);
                case "set-output" -> setOutput(command);
                case "status" -> Answer.completed(status());
                case "desired" -> desired(command);
                case "" -> Answer.rejected("'action' is missing; one of: set-period, enable, disable, reset, read, "
                        + "set-output, status, desired");
                default -> Answer.rejected("unknown action '" + action + "'; one of: set-period, enable, disable, "
                        + "reset, read, set-output, status, desired");
            };
        } catch (Rejection e) {
            return Answer.rejected(e.getMessage());
        }
    }

    private Answer setPeriod(Map<?, ?> command) throws Rejection {
        Duration period = period(string(command, "period").orElseThrow(() ->
                new Rejection("'period' is missing (e.g. \"10s\")")));
        return change(command, control -> new SensorControl.Settings(period, control.settings().enabled()));
    }

    private Answer change(Map<?, ?> command, java.util.function.Function<SensorControl, SensorControl.Settings> next)
            throws Rejection {
        SensorControl control = sensor(command);
        SensorControl.Settings before = control.settings();
        control.apply(next.apply(control));
        try {
            store.save(sensors.values());
        } catch (IOException e) {
            control.apply(before);
            throw new Rejection("cannot store the setting: " + e.getMessage());
        }
        return Answer.completed(settingsJson(control));
    }

    private Answer read(Map<?, ?> command) throws Rejection {
        SensorControl control = sensor(command);
        List<Reading> taken;
        try {
            taken = control.readNow().get(readTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new Rejection("reading '" + control.sensor().stream() + "' failed: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw new Rejection("reading '" + control.sensor().stream() + "' took longer than " + readTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Rejection("interrupted");
        }
        List<String> readings = new ArrayList<>();
        for (Reading r : taken) {
            readings.add("{\"stream\":" + JsonStrings.quote(r.stream()) + ",\"boot\":" + r.boot() + ",\"seq\":"
                    + r.seq() + ",\"reading\":" + r.toJson() + "}");
        }
        return Answer.completed("{\"sensor\":" + JsonStrings.quote(control.sensor().stream()) + ",\"readings\":["
                + String.join(",", readings) + "]}");
    }

    private Answer setOutput(Map<?, ?> command) throws Rejection {
        String name = string(command, "output").orElseThrow(() -> new Rejection("'output' is missing; outputs: "
                + names(outputs)));
        DigitalOutputDriver output = outputs.get(name);
        if (output == null) {
            throw new Rejection("no digital-output '" + name + "'; outputs: " + names(outputs));
        }
        boolean high = high(command.get("level"));
        try {
            boolean before = output.set(high);
            return Answer.completed("{\"output\":" + JsonStrings.quote(name) + ",\"level\":"
                    + JsonStrings.quote(high ? "high" : "low") + ",\"before\":"
                    + JsonStrings.quote(before ? "high" : "low") + "}");
        } catch (IOException e) {
            throw new Rejection("cannot drive '" + name + "': " + e.getMessage());
        }
    }

    /** Every sensor's running settings and every output's level: what the agent reports as applied. */
    public String status() {
        List<String> sensorJson = new ArrayList<>();
        sensors.values().stream().sorted(java.util.Comparator.comparing(c -> c.sensor().stream()))
                .forEach(c -> sensorJson.add(settingsJson(c)));
        List<String> outputJson = new ArrayList<>();
        outputs.keySet().stream().sorted().forEach(name -> {
            String level;
            try {
                level = JsonStrings.quote(outputs.get(name).level() ? "high" : "low");
            } catch (IOException e) {
                level = "null";
            }
            outputJson.add("{\"output\":" + JsonStrings.quote(name) + ",\"level\":" + level + "}");
        });
        return "{\"sensors\":[" + String.join(",", sensorJson) + "],\"outputs\":[" + String.join(",", outputJson)
                + "]}";
    }

    private SensorControl sensor(Map<?, ?> command) throws Rejection {
        String name = string(command, "sensor").orElseThrow(() -> new Rejection("'sensor' is missing; sensors: "
                + names(sensors)));
        SensorControl control = sensors.get(name);
        if (control == null) {
            throw new Rejection("no sensor '" + name + "'; sensors: " + names(sensors));
        }
        return control;
    }

    private static String settingsJson(SensorControl control) {
        SensorControl.Settings s = control.settings();
        return "{\"sensor\":" + JsonStrings.quote(control.sensor().stream()) + ",\"period\":"
                + JsonStrings.quote(formatDuration(s.period()))
                + ",\"enabled\":" + s.enabled() + ",\"configured\":" + s.equals(control.configured()) + "}";
    }

    static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    private static Optional<String> string(Map<?, ?> command, String key) {
        Object value = command.get(key);
        return value == null ? Optional.empty() : Optional.of(String.valueOf(value));
    }

    private static String names(Map<String, ?> map) {
        return map.isEmpty() ? "(none)" : String.join(", ", map.keySet().stream().sorted().toList());
    }

    /** A sampling period as commands give it ({@code 250ms}, {@code 10s}, {@code 5m}), in 1ms..24h as in the YAML. */
    private static Duration period(String text) throws Rejection {
        Duration period = Durations.parse(text).orElseThrow(() ->
                new Rejection("period '" + text + "' is not a duration such as 250ms, 5s or 2m"));
        if (period.compareTo(Duration.ofMillis(1)) < 0 || period.compareTo(Duration.ofDays(1)) > 0) {
            throw new Rejection("period " + text + " is out of range 1ms..24h");
        }
        return period;
    }

    /** An output level as commands give it: {@code high} (true) or {@code low}. */
    private static boolean high(Object level) throws Rejection {
        if (!"high".equals(level) && !"low".equals(level)) {
            throw new Rejection("'level' must be \"high\" or \"low\", not '" + (level == null ? "" : level) + "'");
        }
        return "high".equals(level);
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }

    /** A command that cannot be carried out, with the reason the result carries. */
    private static final class Rejection extends Exception {
        Rejection(String reason) {
            super(reason, null, false, false);
        }
    }
}
