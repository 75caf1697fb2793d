package dev.edgeline.bridge.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class DesiredStateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ConsumerRecord<byte[], byte[]> record(long offset, String key, String value) {
        return new ConsumerRecord<>("edge.desired.x", 0, offset, key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void onATopicOfItsOwn_everyRecordCounts_andATombstoneRemovesItsKey() throws Exception {
        DesiredState desired = new DesiredState("", dev.edgeline.config.CommandsConfig.disabled(), "pi-a");
        desired.apply(record(0, "sensor/env", "{\"period\":\"5s\"}"));
        desired.apply(record(1, "output/relay", "{\"level\":\"high\"}"));
        desired.apply(record(2, "output/relay", null));
        assertThat(desired.commandId()).isEqualTo("desired-2");
        assertThat(JSON.readTree(desired.offer()).path("desired").toString())
                .isEqualTo("{\"sensor/env\":{\"period\":\"5s\"}}");
    }

    @Test
    void onAGroupsTopic_takesOnlyItsOwnKeys_withoutTheDevicePrefix_andItsNeighboursChangeNothing() throws Exception {
        DesiredState desired = new DesiredState("", dev.edgeline.config.CommandsConfig.disabled().withGroup("site-1"),
                "pi-a");
        desired.apply(record(0, "pi-a/sensor/env", "{\"period\":\"5s\"}"));
        desired.apply(record(1, "pi-b/sensor/env", "{\"period\":\"1s\"}"));
        desired.apply(record(2, "pi-ab/sensor/env", "{\"period\":\"2s\"}"));
        assertThat(desired.commandId()).as("the id names its own last record").isEqualTo("desired-0");
        assertThat(JSON.readTree(desired.offer()).path("desired").toString())
                .isEqualTo("{\"sensor/env\":{\"period\":\"5s\"}}");
        desired.apply(record(3, "pi-b/output/relay", "{\"level\":\"high\"}"));
        assertThat(desired.changed()).as("a neighbour's change is not this device's").isFalse();
        desired.apply(record(4, "pi-a/sensor/nope!", "{}"));
        assertThat(desired.changed()).as("its own malformed record moves the id, and is left out").isTrue();
        assertThat(JSON.readTree(desired.offer()).path("desired").size()).isEqualTo(1);
        assertThat(desired.offeredId()).isEqualTo("desired-4");
    }
}
