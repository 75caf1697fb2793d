package dev.edgeline.config;

import java.util.regex.Pattern;

/** The name patterns the loader checks values against (messages quote them). */
final class ConfigNames {
    static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    static final Pattern STREAM_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    static final Pattern LANE_NAME = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
    static final Pattern KAFKA_TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
    static final Pattern HOST_PORT = Pattern.compile("([A-Za-z0-9.-]+|\\[[0-9a-fA-F:]+]):(\\d{1,5})");
    static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|[0-9a-fA-F.]*:[0-9a-fA-F:.]*");
    static final Pattern W1_DEVICE_ID = Pattern.compile("28-[0-9a-f]{12}");

    private ConfigNames() {}

}
