package dev.edgeline.broker.sparkplug;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgeline.broker.spool.RecordKind;
import dev.edgeline.broker.spool.SpoolRecord;
import java.nio.file.Path;
import java.util.Date;
import java.util.List;
import org.eclipse.tahu.message.SparkplugBPayloadEncoder;
import org.eclipse.tahu.message.model.Metric;
import org.eclipse.tahu.message.model.MetricDataType;
import org.eclipse.tahu.message.model.SparkplugBPayload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparkplugIngestTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;

    static byte[] payload(Long seq, Metric... metrics) throws Exception {
        SparkplugBPayload payload = new SparkplugBPayload(new Date(1_764_839_702_250L), List.of(metrics), seq);
        return new SparkplugBPayloadEncoder().getBytes(payload, false);
    }

    static Metric named(String name, long alias, MetricDataType type, Object value) throws Exception {
        return new Metric.MetricBuilder(name, type, value).alias(alias).createMetric();
    }

    static Metric aliased(long alias, MetricDataType type, Object value) throws Exception {
        return new Metric.MetricBuilder(alias, type, value).timestamp(new Date(1_764_839_702_250L)).createMetric();
    }

    private static SparkplugTopic topic(String text) {
        return SparkplugTopic.parse(text).orElseThrow();
    }

    private static SparkplugIngest.Outcome.Accepted accepted(SparkplugIngest.Outcome outcome) {
        assertThat(outcome).isInstanceOf(SparkplugIngest.Outcome.Accepted.class);
        return (SparkplugIngest.Outcome.Accepted) outcome;
    }

    private static JsonNode json(SpoolRecord record) throws Exception {
        return JSON.readTree(record.payload());
    }

    private SparkplugIngest.Outcome.Accepted send(SparkplugIngest ingest, String topic, byte[] payload) {
        return accepted(ingest.ingest(topic(topic), payload, 4, true, 1_000));
    }

    private byte[] birth(long bdSeq) throws Exception {
        return payload(0L, named("bdSeq", 0, MetricDataType.Int64, bdSeq),
                named("Temp", 1, MetricDataType.Double, 20.5), named("Running", 2, MetricDataType.Boolean, true));
    }

    @Test
    void topics_followTheSparkplugNamespace_andOthersAreNotSparkplug() {
        assertThat(SparkplugTopic.parse("spBv1.0/plant/DDATA/line-3/press-2")).hasValueSatisfying(t -> {
            assertThat(t.group()).isEqualTo("plant");
            assertThat(t.type()).isEqualTo(SparkplugTopic.MessageType.DDATA);
            assertThat(t.edgeNode()).isEqualTo("line-3");
            assertThat(t.device()).contains("press-2");
        });
        assertThat(SparkplugTopic.parse("spBv1.0/plant/NDATA/line-3")).isPresent();
        assertThat(SparkplugTopic.parse("spBv1.0/STATE/host-1")).isEmpty();
        assertThat(SparkplugTopic.parse("spBv1.0/plant/NDATA/line-3/press-2")).as("a node message with a device")
                .isEmpty();
        assertThat(SparkplugTopic.parse("spBv1.0/plant/DDATA/line-3")).as("a device message without one").isEmpty();
        assertThat(SparkplugTopic.parse("spBv1.0/plant/XDATA/line-3")).isEmpty();
        assertThat(SparkplugTopic.parse("spBv1.0//NDATA/line-3")).isEmpty();
        assertThat(SparkplugTopic.parse("lan/plant/NDATA/line-3")).isEmpty();
    }

    @Test
    void aBirthAndData_becomeOneRecordPerMetric_namedFromTheBirthsAliases() throws Exception {
        SparkplugIngest ingest = new SparkplugIngest("gw-1", dir);
        var birth = send(ingest, "spBv1.0/plant/NBIRTH/line-3", birth(0));
        assertThat(birth.rebirth()).isFalse();
        assertThat(birth.records()).extracting(SpoolRecord::stream)
                .containsExactly("$state", "bdSeq", "Temp", "Running");
        assertThat(birth.records()).allSatisfy(r -> {
            assertThat(r.device()).isEqualTo("gw-1/plant/line-3");
            assertThat(r.seq()).isEqualTo(SpoolRecord.ASSIGN_SEQ);
            assertThat(r.boot()).isEqualTo(4);
            assertThat(r.mqttTopic()).isEqualTo("spBv1.0/plant/NBIRTH/line-3");
        });
        assertThat(json(birth.records().get(0)).toString())
                .isEqualTo("{\"state\":\"online\",\"message\":\"NBIRTH\",\"bd_seq\":0,\"seq\":0}");

        var data = send(ingest, "spBv1.0/plant/NDATA/line-3", payload(1L, aliased(1, MetricDataType.Double, 21.25)));
        assertThat(data.rebirth()).isFalse();
        assertThat(data.records()).singleElement().satisfies(r -> {
            assertThat(r.stream()).isEqualTo("Temp");
            JsonNode value = json(r);
            assertThat(value.get("value").asDouble()).isEqualTo(21.25);
            assertThat(value.get("datatype").asText()).isEqualTo("Double");
            assertThat(value.get("ts").asText()).isEqualTo("2025-12-04T09:15:02.250Z");
            assertThat(value.get("sparkplug").toString())
                    .isEqualTo("{\"message\":\"NDATA\",\"seq\":1,\"bd_seq\":0,\"alias\":1}");
        });

        send(ingest, "spBv1.0/plant/DBIRTH/line-3/press-2", payload(2L, named("Pressure", 10, MetricDataType.Int32, 7)));
        var deviceData = send(ingest, "spBv1.0/plant/DDATA/line-3/press-2",
                payload(3L, aliased(10, MetricDataType.Int32, 9), aliased(99, MetricDataType.Int32, 1)));
        assertThat(deviceData.records()).extracting(SpoolRecord::stream).containsExactly("Pressure", "alias/99");
        assertThat(deviceData.records()).allSatisfy(r -> assertThat(r.device()).isEqualTo("gw-1/plant/line-3/press-2"));
        assertThat(json(deviceData.records().getFirst()).get("value").asInt()).isEqualTo(9);
    }

    @Test
    void aSkippedSeq_isAGapMarker_andARebirthRequest_andSeqWrapsAt256() throws Exception {
        SparkplugIngest ingest = new SparkplugIngest("gw-1", dir);
        send(ingest, "spBv1.0/plant/NBIRTH/line-3", birth(3));
        var skipped = send(ingest, "spBv1.0/plant/NDATA/line-3", payload(4L, aliased(1, MetricDataType.Double, 1.0)));
        assertThat(skipped.rebirth()).isTrue();
        assertThat(skipped.problem()).contains("sent seq 4 after 0: 3 message(s) lost");
        SpoolRecord gap = skipped.records().getFirst();
        assertThat(gap.kind()).isEqualTo(RecordKind.GAP);
        assertThat(gap.device()).isEqualTo("gw-1/plant/line-3");
        assertThat(gap.stream()).isEqualTo("$gap/sparkplug");
        assertThat(json(gap).toString()).isEqualTo("{\"gap\":true,\"reason\":\"sparkplug-seq\",\"records\":null,"
                + "\"sparkplug\":{\"group\":\"plant\",\"edge_node\":\"line-3\",\"expected_seq\":1,\"received_seq\":4,"
                + "\"lost_messages\":3,\"bd_seq\":3}}");
        assertThat(skipped.records().get(1).stream()).isEqualTo("Temp");

        for (long seq = 5; seq <= 255; seq++) {
            assertThat(send(ingest, "spBv1.0/plant/NDATA/line-3", payload(seq, aliased(1, MetricDataType.Double, 1.0)))
                    .rebirth()).isFalse();
        }
        var wrapped = send(ingest, "spBv1.0/plant/NDATA/line-3", payload(0L, aliased(1, MetricDataType.Double, 2.0)));
        assertThat(wrapped.rebirth()).as("255 then 0").isFalse();
        assertThat(wrapped.records()).extracting(SpoolRecord::kind).containsOnly(RecordKind.DATA);
        var resent = send(ingest, "spBv1.0/plant/NDATA/line-3", payload(0L, aliased(1, MetricDataType.Double, 2.0)));
        assertThat(resent.rebirth()).as("the same seq again: a resend, not a loss").isFalse();
    }

    @Test
    void dataBeforeABirth_asksForARebirth_andKeepsTheMetrics() throws Exception {
        SparkplugIngest ingest = new SparkplugIngest("gw-1", dir);
        var early = send(ingest, "spBv1.0/plant/NDATA/line-9", payload(17L, named("Temp", 1, MetricDataType.Float,
                3.5f)));
        assertThat(early.rebirth()).isTrue();
        assertThat(early.problem()).contains("not born");
        assertThat(early.records()).extracting(SpoolRecord::stream).containsExactly("Temp");
    }

    @Test
    void aDeath_ofTheCurrentSession_takesTheNodeOffline_anOldSessionsDeathChangesNothing() throws Exception {
        SparkplugIngest ingest = new SparkplugIngest("gw-1", dir);
        send(ingest, "spBv1.0/plant/NBIRTH/line-3", birth(5));
        var stale = send(ingest, "spBv1.0/plant/NDEATH/line-3", payload(null, named("bdSeq", 0, MetricDataType.Int64,
                4L)));
        assertThat(json(stale.records().getFirst()).toString())
                .isEqualTo("{\"state\":\"offline\",\"message\":\"NDEATH\",\"bd_seq\":4,\"stale\":true}");
        assertThat(send(ingest, "spBv1.0/plant/NDATA/line-3", payload(1L, aliased(1, MetricDataType.Double, 1.0)))
                .rebirth()).as("still born").isFalse();
        var death = send(ingest, "spBv1.0/plant/NDEATH/line-3", payload(null, named("bdSeq", 0, MetricDataType.Int64,
                5L)));
        assertThat(death.records()).singleElement().satisfies(r -> assertThat(r.stream()).isEqualTo("$state"));
        assertThat(send(ingest, "spBv1.0/plant/NDATA/line-3", payload(2L, aliased(1, MetricDataType.Double, 1.0)))
                .rebirth()).as("dead until its next birth").isTrue();
    }

    @Test
    void theBirthsAliases_surviveARestart() throws Exception {
        send(new SparkplugIngest("gw-1", dir), "spBv1.0/plant/NBIRTH/line-3", birth(0));
        SparkplugIngest restarted = new SparkplugIngest("gw-1", dir);
        var data = send(restarted, "spBv1.0/plant/NDATA/line-3", payload(1L, aliased(1, MetricDataType.Double, 22.0),
                aliased(2, MetricDataType.Boolean, false)));
        assertThat(data.records()).extracting(SpoolRecord::stream).containsExactly("Temp", "Running");
        assertThat(json(data.records().get(1)).get("value").asBoolean()).isFalse();
        assertThat(data.rebirth()).as("not born since this broker started").isTrue();
    }

    @Test
    void somethingThatIsNotSparkplugB_isRefused() throws Exception {
        SparkplugIngest ingest = new SparkplugIngest("gw-1", dir);
        assertThat(ingest.ingest(topic("spBv1.0/plant/NDATA/line-3"), "{\"value\":1}".getBytes(), 4, true, 0))
                .isInstanceOfSatisfying(SparkplugIngest.Outcome.Refused.class,
                        r -> assertThat(r.reason()).contains("not a Sparkplug B payload"));
    }

    @Test
    void theRebirthRequest_isAnNcmdWithNodeControlRebirthTrue_atMostOncePerInterval() throws Exception {
        java.util.List<String> topics = new java.util.ArrayList<>();
        java.util.List<byte[]> payloads = new java.util.ArrayList<>();
        long[] now = {0};
        RebirthRequests requests = new RebirthRequests((t, p) -> {
            topics.add(t);
            payloads.add(p);
        }, () -> now[0]);
        requests.request(topic("spBv1.0/plant/NDATA/line-3"));
        requests.request(topic("spBv1.0/plant/DDATA/line-3/press-2"));
        now[0] += RebirthRequests.INTERVAL_NANOS;
        requests.request(topic("spBv1.0/plant/NDATA/line-3"));
        assertThat(topics).containsExactly("spBv1.0/plant/NCMD/line-3", "spBv1.0/plant/NCMD/line-3");
        SparkplugBPayload command = new org.eclipse.tahu.message.SparkplugBPayloadDecoder()
                .buildFromByteArray(payloads.getFirst(), null);
        assertThat(command.getMetrics()).singleElement().satisfies(m -> {
            assertThat(m.getName()).isEqualTo("Node Control/Rebirth");
            assertThat(m.getValue()).isEqualTo(true);
        });
    }
}
