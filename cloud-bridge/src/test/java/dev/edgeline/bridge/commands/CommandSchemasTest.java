package dev.edgeline.bridge.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import dev.edgeline.config.RecordEnvelope.PayloadKind;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The command contract's JSON Schemas (draft 2020-12, a real validator) against what the command bridge writes: every
 * result state, a JSON, a non-JSON and an oversized response; the desired-state command it hands the agent; and the
 * documented agent commands, with payloads that break them caught.
 */
class CommandSchemasTest {
    /** The published schemas refer to each other by their URIs; those resolve to this build's copies, not the web. */
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDialect(Dialects.getDraft202012(),
            builder -> builder.schemas(uri -> Arrays.stream(PayloadKind.values())
                    .filter(kind -> kind.schemaUri().equals(uri)).map(PayloadKind::schema).findFirst().orElse(null)));

    private static Schema schema(PayloadKind kind) {
        return REGISTRY.getSchema(kind.schema(), InputFormat.JSON);
    }

    private static void assertFollows(PayloadKind kind, String json) {
        assertThat(schema(kind).validate(json, InputFormat.JSON)).as(kind + ": " + json).isEmpty();
    }

    private static void assertBreaks(PayloadKind kind, String json) {
        assertThat(schema(kind).validate(json, InputFormat.JSON)).as(kind + ": " + json).isNotEmpty();
    }

    private static String result(CommandState state, String reason, byte[] response) {
        return CommandRecords.resultJson("pi-1", new CommandResult(7, "c-7", "relay", state, reason, response,
                1_796_450_000_000L)).toString();
    }

    @Test
    void everyResultTheBridgeWrites_followsTheResultSchema() {
        for (CommandState state : CommandState.values()) {
            assertFollows(PayloadKind.COMMAND_RESULT, result(state, state == CommandState.COMPLETED ? "" : "why",
                    new byte[0]));
        }
        assertFollows(PayloadKind.COMMAND_RESULT, result(CommandState.COMPLETED, "",
                "{\"level\":\"high\"}".getBytes(StandardCharsets.UTF_8)));
        assertFollows(PayloadKind.COMMAND_RESULT, result(CommandState.REJECTED, "no", new byte[] {1, 2, (byte) 0xff}));
        assertFollows(PayloadKind.COMMAND_RESULT, result(CommandState.COMPLETED, "",
                new byte[CommandRecords.MAX_RESPONSE_BYTES + 1]));
        assertFollows(PayloadKind.COMMAND_RESULT, result(CommandState.REJECTED, "r".repeat(1024),
                new byte[CommandRecords.MAX_RESPONSE_BYTES + 1]));
    }

    @Test
    void aResultThatBreaksItsSchema_isCaught() {
        assertBreaks(PayloadKind.COMMAND_RESULT, "{\"device\":\"pi-1\",\"command_id\":\"c\",\"target\":\"t\","
                + "\"state\":\"done\",\"reason\":\"\",\"at\":\"2026-12-05T10:00:00Z\"}");
        assertBreaks(PayloadKind.COMMAND_RESULT, "{\"device\":\"pi-1\",\"command_id\":\"c\",\"target\":\"t\","
                + "\"state\":\"completed\",\"reason\":\"\",\"at\":\"2026-12-05T10:00:00Z\",\"response\":1,"
                + "\"response_base64\":\"AQ==\"}");
        assertBreaks(PayloadKind.COMMAND_RESULT, "{\"device\":\"pi-1\",\"command_id\":\"c\",\"state\":\"completed\"}");
    }

    @Test
    void theDesiredStateCommand_followsTheAgentCommandSchema_andItsEntriesTheDesiredStateSchema() {
        DesiredState desired = new DesiredState("", dev.edgeline.config.CommandsConfig.disabled(), "pi-a");
        desired.apply(desiredRecord(0, "sensor/env", "{\"period\":\"10s\",\"enabled\":true}"));
        desired.apply(desiredRecord(1, "output/relay", "{\"level\":\"high\"}"));
        desired.apply(desiredRecord(2, "sensor/door", "{\"enabled\":false}"));
        String command = new String(desired.offer(), StandardCharsets.UTF_8);
        assertFollows(PayloadKind.AGENT_COMMAND, command);
        desired.offeredDocument().elements().forEachRemaining(value ->
                assertFollows(PayloadKind.DESIRED_STATE, value.toString()));
        assertBreaks(PayloadKind.DESIRED_STATE, "{\"level\":\"on\"}");
        assertBreaks(PayloadKind.DESIRED_STATE, "{\"period\":\"soon\"}");
        assertBreaks(PayloadKind.DESIRED_STATE, "{}");
        assertBreaks(PayloadKind.AGENT_COMMAND, "{\"action\":\"desired\",\"desired\":{\"fan/x\":{\"level\":\"high\"}}}");
        assertBreaks(PayloadKind.AGENT_COMMAND, "{\"action\":\"desired\",\"desired\":{\"sensor/x\":{\"period\":5}}}");
    }

    @Test
    void theDocumentedAgentCommands_followTheirSchema_andNonsenseDoesNot() {
        for (String command : new String[] {
                "{\"action\":\"set-period\",\"sensor\":\"env\",\"period\":\"10s\"}",
                "{\"action\":\"disable\",\"sensor\":\"env\"}", "{\"action\":\"enable\",\"sensor\":\"env\"}",
                "{\"action\":\"reset\",\"sensor\":\"env\"}", "{\"action\":\"read\",\"sensor\":\"env\"}",
                "{\"action\":\"set-output\",\"output\":\"relay\",\"level\":\"low\"}", "{\"action\":\"status\"}"}) {
            assertFollows(PayloadKind.AGENT_COMMAND, command);
        }
        assertBreaks(PayloadKind.AGENT_COMMAND, "{\"action\":\"set-period\",\"sensor\":\"env\"}");
        assertBreaks(PayloadKind.AGENT_COMMAND, "{\"action\":\"set-output\",\"output\":\"relay\",\"level\":1}");
        assertBreaks(PayloadKind.AGENT_COMMAND, "{\"action\":\"reboot\"}");
        assertBreaks(PayloadKind.AGENT_COMMAND, "{\"sensor\":\"env\"}");
    }

    private static ConsumerRecord<byte[], byte[]> desiredRecord(long offset, String key, String value) {
        return new ConsumerRecord<>("edge.desired.pi-1", 0, offset, key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }
}
