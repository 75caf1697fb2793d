package dev.edgeline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicFilterTest {
    @Test
    void singleLevelWildcard_matchesExactlyOneLevel() {
        TopicFilter filter = TopicFilter.parse("edge/+/temperature");
        assertThat(filter.matches("edge/pi-1/temperature")).isTrue();
        assertThat(filter.matches("edge/pi-1/humidity")).isFalse();
        assertThat(filter.matches("edge/pi-1/x/temperature")).isFalse();
        assertThat(filter.matches("edge//temperature")).isTrue();
    }

    @Test
    void multiLevelWildcard_matchesParentAndEverythingBelow() {
        TopicFilter filter = TopicFilter.parse("lan/#");
        assertThat(filter.matches("lan")).isTrue();
        assertThat(filter.matches("lan/esp32/a/b")).isTrue();
        assertThat(filter.matches("lane/x")).isFalse();
    }

    @Test
    void wildcardsAtTheStart_doNotMatchDollarTopics() {
        assertThat(TopicFilter.parse("#").matches("$SYS/broker")).isFalse();
        assertThat(TopicFilter.parse("+/broker").matches("$SYS/broker")).isFalse();
        assertThat(TopicFilter.parse("$SYS/#").matches("$SYS/broker")).isTrue();
    }

    @Test
    void invalidFilters_areRejectedWithTheReason() {
        assertThatThrownBy(() -> TopicFilter.parse("a/#/b")).hasMessageContaining("only as the last level");
        assertThatThrownBy(() -> TopicFilter.parse("a/b+")).hasMessageContaining("whole level");
        assertThatThrownBy(() -> TopicFilter.parse("")).hasMessageContaining("empty");
    }
}
