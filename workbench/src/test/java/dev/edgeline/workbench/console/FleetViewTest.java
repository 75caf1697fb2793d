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
}
