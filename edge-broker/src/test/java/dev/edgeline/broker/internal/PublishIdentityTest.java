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
}
