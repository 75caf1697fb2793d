package dev.edgeline.appliance.analyst;

import java.nio.charset.StandardCharsets;

/**
 * Losses the agent declares itself, on its health stream, in the gap markers' per-stream format: after the machine went
 * down without stopping the agent, the seq numbers it reserved but may not have used, or used for readings that were
 * lost unacknowledged with the machine ({@code "state":"seq-skipped"}).
 */
public final class AgentDeclarations {
    private static final String SEQ_SKIPPED_FIELD = "\"state\":\"seq-skipped\"";
    private static final byte[] SEQ_SKIPPED = SEQ_SKIPPED_FIELD.getBytes(StandardCharsets.UTF_8);

    private AgentDeclarations() {}

    /** The same for a payload already decoded (the console's). */
    public static boolean declaresSkippedSeq(String payload) {
        return payload != null && payload.contains(SEQ_SKIPPED_FIELD);
    }

    /** Whether a record's payload is the agent's declaration of skipped seq numbers (without decoding it). */
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
