package dev.edgeline.workbench.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** What the console shows of records that are not the agent's: Sparkplug metrics and a structured route's values. */
class FleetViewTest {
    @Test
    void sparkplugMetrics_areStreamsOfTheirNodeWithTheirLastValue_andTheirStateAStreamToo() throws Exception {
        FleetView view = new FleetView();
        String node = "gw-1/plant/line-3";
        for (int seq = 0; seq < 3; seq++) {
            view.record("it.plant", node, "Temp", 4, seq, 1_000L * seq, "{\"value\":" + (20.5 + seq)
                    + ",\"datatype\":\"Double\",\"sparkplug\":{\"message\":\"NDATA\",\"seq\":" + seq + "}}");
        }
        view.record("it.plant", node, "$state", 4, 0, 0, "{\"state\":\"online\",\"message\":\"NBIRTH\"}");
        JsonNode fleet = new ObjectMapper().readTree(view.toJson(10_000));
        String json = fleet.toString();
        assertThat(json).contains("\"device\":\"" + node + "\"").contains("\"stream\":\"Temp\"")
                .contains("\"stream\":\"$state\"");
        assertThat(json).as("the last value of Temp").contains("\"last_seq\":2,\"last_value\":22.5");
    }

    @Test
    void internalTopics_areNotDataTopics() {
        assertThat(FleetReader.isInternal("__consumer_offsets")).isTrue();
        assertThat(FleetReader.isInternal("_schemas")).isTrue();
        assertThat(FleetReader.isInternal("edge.bridge.checkpoints")).isTrue();
        assertThat(FleetReader.isInternal("edge.bridge.checkpoints.anchor")).isTrue();
        assertThat(FleetReader.isInternal("edge.readings")).isFalse();
        assertThat(FleetReader.isInternal("edge.gaps")).isFalse();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String result(String id, String state, String reason, String appliedJson) {
        return "{\"device\":\"pi-1\",\"command_id\":\"" + id + "\",\"target\":\"agent\",\"state\":\"" + state
                + "\",\"reason\":\"" + reason + "\",\"at\":\"2026-12-05T10:00:00Z\""
                + (appliedJson == null ? "" : ",\"response\":{\"applied\":" + appliedJson + "}") + "}";
    }

    private static JsonNode desiredRow(FleetView view) throws Exception {
        return new ObjectMapper().readTree(view.toJson(0)).get("desired_state").get(0);
    }

    @Test
    void desiredState_againstReported_isInSync_behind_rejected_orDifferent() throws Exception {
        FleetView view = new FleetView();
        view.desiredRecord("pi-1", 0, "output/relay", bytes("{\"level\":\"high\"}"));
        assertThat(desiredRow(view).get("verdict").asText()).isEqualTo("not applied");

        String applied = "{\"sensors\":[],\"outputs\":[{\"output\":\"relay\",\"level\":\"high\"}]}";
        view.commandResult("pi-1", "desired-0", bytes(result("desired-0", "completed", "", applied)));
        view.commandResult("pi-1", "c-17", bytes(result("c-17", "completed", "", null))); // not a desired state
        JsonNode row = desiredRow(view);
        assertThat(row.get("verdict").asText()).isEqualTo("in sync");
        assertThat(row.get("applied").toString()).isEqualTo(applied);

        view.desiredRecord("pi-1", 1, "sensor/env", bytes("{\"period\":\"5s\"}"));
        assertThat(desiredRow(view).get("verdict").asText()).isEqualTo("behind");
        assertThat(desiredRow(view).get("detail").asText())
                .isEqualTo("the device reported desired-0; the desired state is at offset 1");

        view.commandResult("pi-1", "desired-1", bytes(result("desired-1", "rejected", "no sensor env", null)));
        assertThat(desiredRow(view).get("verdict").asText()).isEqualTo("rejected");
        assertThat(desiredRow(view).get("detail").asText()).isEqualTo("no sensor env");

        view.desiredRecord("pi-1", 2, "sensor/env", null); // tombstone: only the relay is desired again
        view.commandResult("pi-1", "desired-2", bytes(result("desired-2", "completed", "",
                "{\"sensors\":[],\"outputs\":[{\"output\":\"relay\",\"level\":\"low\"}]}")));
        assertThat(desiredRow(view).get("verdict").asText()).isEqualTo("differs");
        assertThat(desiredRow(view).get("detail").asText()).isEqualTo("output/relay level desired high, reported low");
    }

    @Test
    void theConsolesCommandTopics_areTheDeviceConfigurationsDefaults() {
        FleetReader.CommandTopics topics = FleetReader.CommandTopics.DEFAULTS;
        dev.edgeline.config.CommandsConfig defaults = dev.edgeline.config.CommandsConfig.disabled();
        assertThat(topics).isEqualTo(new FleetReader.CommandTopics(defaults.topicPrefix(), defaults.desiredTopicPrefix(),
                defaults.resultsTopic()));
    }
}
