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

    @Test
    void matchesAsTheSpecificationSays_onRandomFiltersAndTopics_includingEmptyLevels() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        String[] words = {"a", "b", "edge", "", "$SYS"};
        for (int i = 0; i < 50_000; i++) {
            StringBuilder filter = new StringBuilder();
            StringBuilder topic = new StringBuilder();
            int filterLevels = 1 + random.nextInt(4);
            for (int l = 0; l < filterLevels; l++) {
                int pick = random.nextInt(words.length + 2);
                String level = pick == words.length ? "+" : pick == words.length + 1 && l == filterLevels - 1 ? "#"
                        : words[pick % words.length];
                filter.append(l == 0 ? "" : "/").append(level);
            }
            int topicLevels = 1 + random.nextInt(4);
            for (int l = 0; l < topicLevels; l++) {
                topic.append(l == 0 ? "" : "/").append(words[random.nextInt(words.length)]);
            }
            if (TopicFilter.problemWith(filter.toString()).isPresent()) {
                continue;
            }
            assertThat(TopicFilter.parse(filter.toString()).matches(topic.toString()))
                    .as("%s against %s", filter, topic).isEqualTo(reference(filter.toString(), topic.toString()));
        }
    }

    /** The specification's rule, level by level on split levels (how the filter matched before it walked in place). */
    private static boolean reference(String filter, String topic) {
        String[] levels = filter.split("/", -1);
        String[] topicLevels = topic.split("/", -1);
        if (topic.startsWith("$") && (levels[0].equals("+") || levels[0].equals("#"))) {
            return false;
        }
        for (int i = 0; i < levels.length; i++) {
            if (levels[i].equals("#")) {
                return true;
            }
            if (i >= topicLevels.length || !levels[i].equals("+") && !levels[i].equals(topicLevels[i])) {
                return false;
            }
        }
        return topicLevels.length == levels.length;
    }
}
