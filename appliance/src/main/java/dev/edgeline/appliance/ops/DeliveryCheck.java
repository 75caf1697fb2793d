package dev.edgeline.appliance.ops;

import dev.edgeline.bridge.BridgeStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The silent-stall check: records wait in the spool and nothing was committed to Kafka for {@code stallAfter}.
 * A Kafka outage fails it too (an operator must know the data is not flowing); what the watchdog does about it is
 * {@link #stuck}'s business. A bridge that cannot read its spool or write its cursor (a full disk) or that keeps
 * failing fails at once, with the error: it retries by itself, but the operator must free space or look.
 */
public final class DeliveryCheck {
    private final Duration stallAfter;

    public DeliveryCheck(Duration stallAfter) {
        this.stallAfter = stallAfter;
    }

    /** The problems with delivery at {@code nowMillis}; empty when records flow or none wait. */
    public List<String> problems(BridgeStatus status, long nowMillis) {
        List<String> problems = new ArrayList<>();
        if (status.state().equals("FENCED") || status.state().equals("STOPPED")
                || status.state().equals("SPOOL_UNAVAILABLE") || status.state().equals("FAILING")) {
            problems.add("the bridge is " + status.state() + (status.lastError().isEmpty() ? ""
                    : ": " + status.lastError()));
        }
        long stalledMillis = status.stalledForMillis(nowMillis);
        if (stalledMillis > stallAfter.toMillis()) {
            problems.add(String.format(Locale.ROOT, "%d byte(s) wait in the spool and nothing was committed to "
                            + "Kafka for %d s (stall-after %d s); bridge state %s%s", status.totalBacklogBytes(),
                    stalledMillis / 1000, stallAfter.toSeconds(), status.state(),
                    status.lastError().isEmpty() ? "" : ", last error: " + status.lastError()));
        }
        return problems;
    }

    /**
     * Whether the bridge is stuck in a way a restart cures: its loop has not gone round for {@code stallAfter} plus
     * the longest bounded Kafka call, or it believes it is forwarding while nothing commits. A bridge retrying an
     * unreachable Kafka is not stuck: restarting it would not bring Kafka back.
     */
    public boolean stuck(BridgeStatus status, long loopAgeNanos, long nowMillis) {
        boolean loopFrozen = loopAgeNanos > stallAfter.plus(Duration.ofMinutes(3)).toNanos();
        boolean forwardingNothing = status.state().equals("FORWARDING")
                && status.stalledForMillis(nowMillis) > stallAfter.toMillis();
        return loopFrozen || forwardingNothing;
    }

    /** A one-line summary for {@code /health}'s detail and systemd's STATUS. */
    public static String summary(BridgeStatus status, long nowMillis) {
        String lastCommit = status.lastCommitAtMillis() == 0 ? "none since start"
                : (nowMillis - status.lastCommitAtMillis()) / 1000 + " s ago";
        return String.format(Locale.ROOT, "bridge %s, %d record(s) forwarded, backlog %d byte(s), last commit %s",
                status.state(), status.forwarded(), status.totalBacklogBytes(), lastCommit);
    }
}
