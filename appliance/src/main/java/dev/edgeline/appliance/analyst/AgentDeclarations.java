package dev.edgeline.appliance.analyst;

import java.nio.charset.StandardCharsets;

/**
 * Losses the agent declares itself, on its health stream, in the gap markers' per-stream format: after the machine went
 * down without stopping the agent, the seq numbers it reserved but may not have used, or used for readings that were
 * lost unacknowledged with the machine ({@code "state":"seq-skipped"}).
 */
public final class AgentDeclarations {
    private static final byte[] SEQ_SKIPPED = "\"state\":\"seq-skipped\"".getBytes(StandardCharsets.UTF_8);

    private AgentDeclarations() {}

    /** Whether a record's payload is the agent's declaration of skipped seq numbers. */
    public static boolean declaresSkippedSeq(byte[] payload) {
        if (payload == null || payload.length < SEQ_SKIPPED.length) {
            return false;
        }
        outer:
        for (int i = 0; i <= payload.length - SEQ_SKIPPED.length; i++) {
            for (int j = 0; j < SEQ_SKIPPED.length; j++) {
                if (payload[i + j] != SEQ_SKIPPED[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
