package dev.edgeline.broker.internal;

import dev.edgeline.broker.spool.Spool;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.BrokerConfig.IdentityLimits;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refuses a numbered record whose (boot, seq) lies too far above where its stream is. Without this, publishes with a
 * huge boot or seq (a bug, or a spoofing client that is trusted) raise the mark so far that every later genuine
 * reading of the stream counts as a duplicate: acknowledged and dropped, silently. A refused record does not move
 * the mark, so later genuine records are stored as usual. Three bounds, each {@code max-boot-jump} and
 * {@code max-seq-jump} of {@code broker.identity-limits}:
 * <ul>
 *   <li><b>per publish</b>: boot and seq above the stream's mark;</li>
 *   <li><b>per client and hour</b>: the sum of the jumps a client (its user, or its client id when anonymous) made
 *       in the last {@value #WINDOW_MINUTES} minutes, so that ten steps of the maximum do not pass where one would
 *       not. A normal publisher adds nothing (the next seq is no jump) or one boot per stream and restart;</li>
 *   <li><b>a new stream</b> of a device that has other streams: its boot above the device's highest boot. (The first
 *       stream of a device, and the first seq of a new stream, are not bounded: a spool re-created under a running
 *       agent must accept where the agent is; seq continues across its restarts.)</li>
 * </ul>
 * Thread-safe.
 */
public final class IdentityJumpGuard {
    static final int WINDOW_MINUTES = 60;
    private static final Duration WINDOW = Duration.ofMinutes(WINDOW_MINUTES);

    private final Spool spool;
    private final IdentityLimits limits;
    private final InstantSource clock;
    private final Map<String, Budget> budgets = new ConcurrentHashMap<>();

    public IdentityJumpGuard(Spool spool, IdentityLimits limits, InstantSource clock) {
        this.spool = spool;
        this.limits = limits;
        this.clock = clock;
    }

    /** Why {@code record} of {@code client} is refused, or empty when its identity is within bounds. */
    public Optional<Jump> check(String client, SpoolRecord record) {
        if (record.seq() == SpoolRecord.ASSIGN_SEQ) {
            return Optional.empty();
        }
        Optional<Spool.StreamMark> mark = spool.markOf(record.device(), record.stream());
        long bootJump;
        long seqJump;
        if (mark.isEmpty()) {
            Optional<Long> highest = spool.highestBootOf(record.device());
            if (highest.isEmpty()) {
                return Optional.empty();
            }
            bootJump = Math.max(0, record.boot() - highest.get());
            seqJump = 0;
            if (bootJump > limits.maxBootJump()) {
                Spool.StreamMark none = new Spool.StreamMark(highest.get(), -1);
                return Optional.of(new Jump(none, "new stream starts at boot " + record.boot() + ", more than "
                        + "broker.identity-limits.max-boot-jump " + limits.maxBootJump() + " above device "
                        + record.device() + "'s highest boot " + highest.get()));
            }
        } else {
            // boot, seq and the mark are all >= 0, so the differences cannot overflow.
            bootJump = Math.max(0, record.boot() - mark.get().boot());
            seqJump = Math.max(0, record.seq() - mark.get().seq() - 1);
            if (bootJump > limits.maxBootJump()) {
                return Optional.of(new Jump(mark.get(), "boot jumps from " + mark.get().boot() + " to " + record.boot()
                        + " (more than broker.identity-limits.max-boot-jump " + limits.maxBootJump() + ")"));
            }
            if (seqJump + 1 > limits.maxSeqJump()) {
                return Optional.of(new Jump(mark.get(), "seq jumps from " + mark.get().seq() + " to " + record.seq()
                        + " (more than broker.identity-limits.max-seq-jump " + limits.maxSeqJump() + ")"));
            }
        }
        if (bootJump == 0 && seqJump == 0) {
            return Optional.empty();
        }
        Budget budget = budgets.computeIfAbsent(client, c -> new Budget());
        Optional<String> over = budget.spend(bootJump, seqJump, clock.millis(), limits);
        return over.map(reason -> new Jump(mark.orElse(new Spool.StreamMark(0, -1)), reason));
    }

    /** A refused jump: the stream's mark and what is wrong. */
    public record Jump(Spool.StreamMark mark, String reason) {}

    /** One client's jumps in the current window. */
    private static final class Budget {
        private long windowStartMillis = Long.MIN_VALUE;
        private long boots;
        private long seqs;

        synchronized Optional<String> spend(long bootJump, long seqJump, long now, IdentityLimits limits) {
            if (now - windowStartMillis >= WINDOW.toMillis()) {
                windowStartMillis = now;
                boots = 0;
                seqs = 0;
            }
            if (boots + bootJump > limits.maxBootJump()) {
                return Optional.of("boot jumps of this client add up to " + (boots + bootJump) + " within "
                        + WINDOW_MINUTES + " minutes (more than broker.identity-limits.max-boot-jump "
                        + limits.maxBootJump() + ")");
            }
            if (seqs + seqJump > limits.maxSeqJump()) {
                return Optional.of("seq jumps of this client add up to " + (seqs + seqJump) + " within "
                        + WINDOW_MINUTES + " minutes (more than broker.identity-limits.max-seq-jump "
                        + limits.maxSeqJump() + ")");
            }
            boots += bootJump;
            seqs += seqJump;
            return Optional.empty();
        }
    }
}
