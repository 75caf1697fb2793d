package dev.edgeline.config.render;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * How the services share a board's memory: each JVM's flags, whether the cloud bridge runs in the broker's process or
 * as its own service, and each systemd unit's {@code MemoryHigh=} (reclaim and throttle above it) and
 * {@code MemoryMax=} (the kernel's OOM killer above it). A cgroup counts the page cache its service writes, so the
 * limits sit well above the JVM's own footprint; the kernel reclaims clean cache before it kills anything.
 *
 * <p>The heaps and limits are measured, not guessed: {@code bin/bench memory PROFILE} runs a profile under sustained
 * ingest and drain and prints each service's resident memory (benchmarks/README.md). Chosen per device by Ansible
 * ({@code edge_appliance_memory_profile}, or from the memory the device reports: {@link #forDeviceMemory}).
 */
public enum MemoryProfile {
    /**
     * Pi Zero 2 W and Pi 3 A+ (512 MB; about 430 MiB left to Linux after the GPU's share): one JVM for the broker and
     * its bridge, C1 only, small code and metadata areas. Measured under load: see benchmarks/README.md.
     */
    MB_512("512mb", 768, false,
            "-Xms24m -Xmx96m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1"
                    + " -XX:ReservedCodeCacheSize=24m -XX:MaxMetaspaceSize=96m -XX:MaxDirectMemorySize=32m"
                    + " -XX:-UsePerfData -Dio.netty.allocator.numDirectArenas=1 -Dio.netty.allocator.numHeapArenas=1",
            "-Xms16m -Xmx96m -XX:+UseSerialGC",
            new UnitMemory(256, 320), new UnitMemory(160, 224), new UnitMemory(96, 128)),
    /** Pi 3 B/B+, Pi 4 1 GB (about 900 MiB visible): bridge as its own service, moderate heaps. */
    GB_1("1gb", 1536, true,
            "-Xms32m -Xmx192m -XX:+UseSerialGC -XX:MaxDirectMemorySize=64m",
            "-Xms48m -Xmx128m -Xmn32m -XX:+UseSerialGC",
            new UnitMemory(320, 400), new UnitMemory(320, 400), new UnitMemory(96, 128)),
    /** Pi 4 and Pi 5 with 2 GB: the heaps of earlier releases. */
    GB_2("2gb", 3072, true,
            "-Xms64m -Xmx384m -XX:+UseSerialGC",
            "-Xms96m -Xmx256m -Xmn64m -XX:+UseSerialGC",
            new UnitMemory(448, 576), new UnitMemory(448, 576), new UnitMemory(96, 128)),
    /** 4 GB and more: larger heaps so that a burst after a long outage is absorbed without GC pressure. */
    GB_4("4gb", Long.MAX_VALUE, true,
            "-Xms64m -Xmx768m -XX:+UseSerialGC",
            "-Xms96m -Xmx384m -Xmn64m -XX:+UseSerialGC",
            new UnitMemory(1024, 1280), new UnitMemory(640, 800), new UnitMemory(96, 128));

    /** What a device runs with when nobody chose: the 2 GB profile (the flags of earlier releases). */
    public static final MemoryProfile DEFAULT = GB_2;

    /** A unit's cgroup memory limits in MiB: {@code MemoryHigh=} and {@code MemoryMax=}. */
    public record UnitMemory(int highMiB, int maxMiB) {}

    private final String profileName;
    private final long belowMiB;
    private final boolean bridgeSeparate;
    private final String brokerJvmOptions;
    private final String bridgeJvmOptions;
    private final UnitMemory broker;
    private final UnitMemory bridge;
    private final UnitMemory agent;

    MemoryProfile(String profileName, long belowMiB, boolean bridgeSeparate, String brokerJvmOptions,
                  String bridgeJvmOptions, UnitMemory broker, UnitMemory bridge, UnitMemory agent) {
        this.profileName = profileName;
        this.belowMiB = belowMiB;
        this.bridgeSeparate = bridgeSeparate;
        this.brokerJvmOptions = brokerJvmOptions;
        this.bridgeJvmOptions = bridgeJvmOptions;
        this.broker = broker;
        this.bridge = bridge;
        this.agent = agent;
    }

    /** The name operators use: {@code 512mb}, {@code 1gb}, {@code 2gb}, {@code 4gb}. */
    public String profileName() {
        return profileName;
    }

    /** Whether the bridge runs as its own service ({@code edge-bridge}) rather than in the broker's process. */
    public boolean bridgeSeparate() {
        return bridgeSeparate;
    }

    /** The broker's JVM options (with the bridge inside when {@link #bridgeSeparate()} is false). */
    public String brokerJvmOptions() {
        return brokerJvmOptions;
    }

    /**
     * The bridge service's JVM options (used only when {@link #bridgeSeparate()}). A fixed young generation
     * ({@code -Xmn}) large enough for a batch in flight keeps the batches' records from being promoted, which halves
     * the bridge's resident memory while it drains (benchmarks/README.md, "Drain against a producer sending the same
     * records"); {@code -Xms} stays above it so that the old generation has room at start and the AOT cache, whose
     * archived heap objects need that room, still maps ({@code AotTrainingIT} runs every profile's bridge flags).
     */
    public String bridgeJvmOptions() {
        return bridgeJvmOptions;
    }

    public UnitMemory brokerUnit() {
        return broker;
    }

    public UnitMemory bridgeUnit() {
        return bridge;
    }

    public UnitMemory agentUnit() {
        return agent;
    }

    /**
     * The profile for a device that reports {@code totalMiB} of memory ({@code MemTotal}, Ansible's
     * {@code ansible_memtotal_mb}): a 512 MB board reports about 430, a 1 GB one about 900, a 2 GB one about 1,850.
     */
    public static MemoryProfile forDeviceMemory(long totalMiB) {
        if (totalMiB <= 0) {
            throw new IllegalArgumentException("device memory must be positive, not " + totalMiB + " MiB");
        }
        for (MemoryProfile profile : values()) {
            if (totalMiB < profile.belowMiB) {
                return profile;
            }
        }
        throw new AssertionError("the last profile has no upper bound");
    }

    /** The profile called {@code name}; the error lists the known names. */
    public static MemoryProfile named(String name) {
        String wanted = name.strip().toLowerCase(Locale.ROOT);
        for (MemoryProfile profile : values()) {
            if (profile.profileName.equals(wanted)) {
                return profile;
            }
        }
        throw new IllegalArgumentException("memory profile '" + name + "' is not one of " + names());
    }

    /** Every profile's name, smallest board first. */
    public static List<String> names() {
        return Arrays.stream(values()).map(MemoryProfile::profileName).toList();
    }

    /** As JSON, for provisioning ({@code memory_profile} in {@code provisioning.json}). */
    String toJson() {
        return "{\"name\": \"" + profileName + "\", \"bridge_separate\": " + bridgeSeparate
                + ", \"units\": {\"edge-broker\": " + unitJson(broker) + ", \"edge-bridge\": " + unitJson(bridge)
                + ", \"edge-agent\": " + unitJson(agent) + "}}";
    }

    private static String unitJson(UnitMemory unit) {
        return "{\"memory_high_mib\": " + unit.highMiB() + ", \"memory_max_mib\": " + unit.maxMiB() + "}";
    }
}
