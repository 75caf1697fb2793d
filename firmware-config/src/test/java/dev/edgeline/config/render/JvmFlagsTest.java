package dev.edgeline.config.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

class JvmFlagsTest {
    @Test
    void theServiceFlags_areTheOnesEveryJvmNeeds_withoutComments() {
        assertThat(JvmFlags.services()).containsExactly("-Dhivemq.anonymous.usage.statistics.enabled=false",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");
        assertThat(JvmFlags.agent()).contains("-XX:+UseSerialGC").noneMatch(flag -> flag.startsWith("#"));
    }

    @Test
    void thisTestJvm_wasStartedWithThem_throughTheArgfileInTheRootPom() {
        assertThat(System.getProperty("hivemq.anonymous.usage.statistics.enabled")).isEqualTo("false");
        assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments())
                .contains("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow");
    }
}
