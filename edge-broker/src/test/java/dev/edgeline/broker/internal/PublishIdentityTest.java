package dev.edgeline.broker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.BrokerConfig.IdentityTrust;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PublishIdentityTest {
    private static final Map<String, String> SPOOFED = Map.of("device", "gw-a", "stream", "temperature",
            "boot", "9", "seq", "99");

    private static SpoolRecord accepted(PublishIdentity.Result result) {
        assertThat(result).isInstanceOf(PublishIdentity.Result.Accepted.class);
        return ((PublishIdentity.Result.Accepted) result).record();
    }

    @Test
    void twoGateways_neverGiveTheirThirdPartyDevicesTheSameIdentity() {
        ClientPrincipal esp32 = ClientPrincipal.user("esp32", IdentityTrust.ASSIGNED, List.of("lan/#"));
        SpoolRecord a = accepted(new PublishIdentity("gw-a", 1).identify(esp32, "c", "lan/t", Map.of(), true, 0,
                new byte[0]));
        SpoolRecord b = accepted(new PublishIdentity("gw-b", 1).identify(esp32, "c", "lan/t", Map.of(), true, 0,
                new byte[0]));
        assertThat(a.device()).isEqualTo("gw-a/esp32");
        assertThat(b.device()).isEqualTo("gw-b/esp32");
        assertThat(a.seq()).isEqualTo(SpoolRecord.ASSIGN_SEQ);
    }

    @Test
    void untrustedClients_identityPropertiesAreIgnored_anonymousOnesAreKnownByClientId_escaped() {
        ClientPrincipal anonymous = ClientPrincipal.anonymous(IdentityTrust.ASSIGNED);
        SpoolRecord record = accepted(new PublishIdentity("gw-a", 4).identify(anonymous, "site/esp%1", "lan/t",
                SPOOFED, false, 0, new byte[0]));
        assertThat(record.device()).isEqualTo("gw-a/site%2Fesp%251");
        assertThat(record.stream()).isEqualTo("lan/t");
        assertThat(record.boot()).isEqualTo(4);
        assertThat(record.seq()).isEqualTo(SpoolRecord.ASSIGN_SEQ);
    }

    @Test
    void trustedClients_keepTheirIdentity_butOnlyForTheirOwnDevice() {
        ClientPrincipal agent = ClientPrincipal.user("agent", IdentityTrust.TRUSTED, List.of("edge/gw-a/+"));
        SpoolRecord own = accepted(new PublishIdentity("gw-a", 1).identify(agent, "agent", "edge/gw-a/temperature",
                SPOOFED, false, 0, new byte[0]));
        assertThat(own.seq()).isEqualTo(99);
        PublishIdentity.Result other = new PublishIdentity("gw-b", 1).identify(agent, "agent", "edge/gw-a/temperature",
                SPOOFED, false, 0, new byte[0]);
        assertThat(other).isInstanceOfSatisfying(PublishIdentity.Result.Rejected.class,
                r -> assertThat(r.kind()).isEqualTo(PublishIdentity.Refusal.NOT_AUTHORIZED));
    }

    private static final ClientPrincipal COUNTING = ClientPrincipal.user("esp32", IdentityTrust.DEVICE_SEQ,
            List.of("lan/#"));

    private static PublishIdentity.Result counted(Map<String, String> properties, String payload) {
        return new PublishIdentity("gw-a", 7).identify(COUNTING, "esp32", "lan/t", properties, false, 0,
                payload.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String refusal(PublishIdentity.Result result) {
        assertThat(result).isInstanceOf(PublishIdentity.Result.Rejected.class);
        PublishIdentity.Result.Rejected rejected = (PublishIdentity.Result.Rejected) result;
        assertThat(rejected.kind()).isEqualTo(PublishIdentity.Refusal.MALFORMED);
        return rejected.reason();
    }

    @Test
    void aCountingDevice_keepsItsSeqAndBoot_fromUserProperties_underTheAssignedDeviceAndStream() {
        SpoolRecord record = accepted(counted(SPOOFED, "{}"));
        assertThat(record.device()).as("device and stream are assigned, whatever it claims").isEqualTo("gw-a/esp32");
        assertThat(record.stream()).isEqualTo("lan/t");
        assertThat(record.boot()).isEqualTo(9);
        assertThat(record.seq()).isEqualTo(99);
        assertThat(accepted(counted(Map.of("seq", "5"), "21.5")).boot()).as("no boot: 0").isZero();
    }

    @Test
    void aCountingMqtt3Device_keepsTheTopLevelSeqAndBootOfItsJsonPayload() {
        SpoolRecord record = accepted(counted(Map.of(),
                " {\"t\":{\"seq\":1,\"x\":[1,{\"boot\":2}]},\"s\":\"a\\\"seq\\\":\",\"seq\": 123 ,\"boot\":4}"));
        assertThat(record.seq()).as("nested and quoted seq are not the device's").isEqualTo(123);
        assertThat(record.boot()).isEqualTo(4);
        assertThat(accepted(counted(Map.of(), "{\"seq\":9223372036854775807}")).seq()).isEqualTo(Long.MAX_VALUE);
        assertThat(accepted(counted(Map.of(), "{\"seq\":0}")).boot()).isZero();
    }

    @Test
    void aCountingDevice_withoutAUsableSeq_isRefusedAsMalformed_withTheReason() {
        assertThat(refusal(counted(Map.of(), "21.5"))).contains("identity: device-seq").contains("has no seq");
        assertThat(refusal(counted(Map.of(), "{\"value\":1}"))).contains("has no seq");
        assertThat(refusal(counted(Map.of(), "{\"seq\":-1}"))).contains("payload member seq=-1 is not a non-negative");
        assertThat(refusal(counted(Map.of(), "{\"seq\":1.5}"))).contains("seq=1.5");
        assertThat(refusal(counted(Map.of(), "{\"seq\":\"7\"}"))).contains("seq=\"7\"");
        assertThat(refusal(counted(Map.of(), "{\"seq\":92233720368547758070}"))).contains("is not a non-negative");
        assertThat(refusal(counted(Map.of(), "{\"seq\":1,\"boot\":true}"))).contains("boot=true");
        assertThat(refusal(counted(Map.of("seq", "x1"), "{}"))).contains("user property seq='x1'");
        assertThat(refusal(counted(Map.of("seq", "1", "boot", "-2"), "{}"))).contains("user property boot='-2'");
    }
}
