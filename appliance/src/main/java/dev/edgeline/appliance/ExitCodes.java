package dev.edgeline.appliance;

/** Process exit statuses of {@code bin/edge}. */
final class ExitCodes {
    static final int OK = 0;
    /** Runtime failure (a component failed to start or stopped with an error). */
    static final int FAILURE = 1;
    /** Invalid configuration or command line: nothing was started. */
    static final int INVALID_INPUT = 2;
    /** The demo's check found missing or duplicated records. */
    static final int DEMO_MISMATCH = 3;

    private ExitCodes() {}
}
