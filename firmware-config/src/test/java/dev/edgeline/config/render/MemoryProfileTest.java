package dev.edgeline.config.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemoryProfileTest {
    @Test
    void theMemoryABoardReports_picksItsProfile() {
        assertThat(MemoryProfile.forDeviceMemory(427)).as("Pi Zero 2 W").isEqualTo(MemoryProfile.MB_512);
        assertThat(MemoryProfile.forDeviceMemory(767)).isEqualTo(MemoryProfile.MB_512);
        assertThat(MemoryProfile.forDeviceMemory(768)).isEqualTo(MemoryProfile.GB_1);
        assertThat(MemoryProfile.forDeviceMemory(906)).as("Pi 3 B+").isEqualTo(MemoryProfile.GB_1);
        assertThat(MemoryProfile.forDeviceMemory(1848)).as("Pi 4 2 GB").isEqualTo(MemoryProfile.GB_2);
        assertThat(MemoryProfile.forDeviceMemory(3794)).as("Pi 4 4 GB").isEqualTo(MemoryProfile.GB_4);
        assertThat(MemoryProfile.forDeviceMemory(24_105)).isEqualTo(MemoryProfile.GB_4);
        assertThatThrownBy(() -> MemoryProfile.forDeviceMemory(0)).hasMessageContaining("must be positive");
    }

    @Test
    void profilesAreNamedAsOperatorsWriteThem_andAnUnknownNameListsTheKnownOnes() {
        assertThat(MemoryProfile.names()).containsExactly("512mb", "1gb", "2gb", "4gb");
        assertThat(MemoryProfile.named(" 1GB ")).isEqualTo(MemoryProfile.GB_1);
        assertThatThrownBy(() -> MemoryProfile.named("256mb"))
                .hasMessage("memory profile '256mb' is not one of [512mb, 1gb, 2gb, 4gb]");
    }

    @Test
    void onlyTheSmallestBoardKeepsTheBridgeInTheBrokersProcess_andEveryHeapFitsUnderItsUnitsLimit() {
        for (MemoryProfile profile : MemoryProfile.values()) {
            assertThat(profile.bridgeSeparate()).as(profile.profileName())
                    .isEqualTo(profile != MemoryProfile.MB_512);
            assertThat(profile.brokerUnit().highMiB()).as(profile.profileName() + " broker")
                    .isGreaterThan(heapMib(profile.brokerJvmOptions()))
                    .isLessThan(profile.brokerUnit().maxMiB());
            assertThat(profile.bridgeUnit().highMiB()).as(profile.profileName() + " bridge")
                    .isGreaterThan(heapMib(profile.bridgeJvmOptions()))
                    .isLessThan(profile.bridgeUnit().maxMiB());
            assertThat(profile.agentUnit().highMiB()).isLessThan(profile.agentUnit().maxMiB());
        }
    }

    private static int heapMib(String jvmOptions) {
        for (String option : jvmOptions.split(" ")) {
            if (option.startsWith("-Xmx")) {
                String size = option.substring(4).toLowerCase(java.util.Locale.ROOT);
                assertThat(size).endsWith("m");
                return Integer.parseInt(size.substring(0, size.length() - 1));
            }
        }
        throw new AssertionError("no -Xmx in " + jvmOptions);
    }
}
