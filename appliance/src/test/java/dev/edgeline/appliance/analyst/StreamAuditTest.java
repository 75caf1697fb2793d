package dev.edgeline.appliance.analyst;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StreamAuditTest {
    @Test
    void countsDuplicates_outOfOrder_andHoles_splitByWhatGapMarkersExplain() {
        StreamAudit audit = new StreamAudit();
        for (long seq : new long[] {0, 1, 2, 2, 5, 4, 6, 20, 21}) {
            audit.add(1, seq);
        }
        audit.add(2, 22); // a new boot continues the seq
        assertThat(audit.records()).isEqualTo(10);
        assertThat(audit.duplicates()).isEqualTo(1);
        assertThat(audit.outOfOrder()).isEqualTo(1); // 4 after 5
        assertThat(audit.holes()).containsExactly(new StreamAudit.Hole(3, 3), new StreamAudit.Hole(7, 19));
        assertThat(audit.unexplained(List.of(new StreamAudit.Hole(7, 10), new StreamAudit.Hole(15, 25))))
                .containsExactly(new StreamAudit.Hole(3, 3), new StreamAudit.Hole(11, 14));
        assertThat(audit.unexplained(List.of(new StreamAudit.Hole(0, 100)))).isEmpty();
    }

    @Test
    void gapMarkerIndex_readsTheSpoolsMarkerFormat() {
        GapMarkerIndex index = new GapMarkerIndex();
        index.add(("{\"gap\":true,\"reason\":\"dropped-oldest\",\"lane\":\"bulk\",\"from_position\":0,"
                + "\"to_position\":100,\"bytes\":100,\"records\":12,\"streams\":[{\"device\":\"pi-1\",\"stream\":\"t\","
                + "\"boot\":3,\"first_seq\":10,\"last_seq\":19,\"records\":10},{\"device\":\"pi-1\",\"stream\":\"h\","
                + "\"boot\":3,\"first_seq\":4,\"last_seq\":5,\"records\":2}]}").getBytes());
        assertThat(index.lossesOf("pi-1/t")).containsExactly(new StreamAudit.Hole(10, 19));
        assertThat(index.lossesOf("pi-1/h")).containsExactly(new StreamAudit.Hole(4, 5));
        assertThat(index.markersByReason()).containsEntry("dropped-oldest", 1L);
    }
}
