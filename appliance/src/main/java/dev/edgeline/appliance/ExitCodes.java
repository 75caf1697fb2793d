package dev.edgeline.appliance;

/** Process exit statuses of {@code bin/edge}. */
public final class ExitCodes {
    public static final int OK = 0;
    /** Runtime failure (a component failed to start or stopped with an error). */
    public static final int FAILURE = 1;
    /** Invalid configuration or command line: nothing was started. */
    public static final int INVALID_INPUT = 2;
    /** The demo's check found missing or duplicated records. */
    public static final int DEMO_MISMATCH = 3;
    /** A check found a problem: verify (missing, duplicated, out of order), kafka topics (missing, misconfigured). */
    public static final int PROBLEM_FOUND = 3;

    private ExitCodes() {}
}
