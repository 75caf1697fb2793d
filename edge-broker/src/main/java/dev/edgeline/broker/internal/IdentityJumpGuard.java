package dev.edgeline.broker.internal;

import dev.edgeline.broker.spool.Spool;
import dev.edgeline.broker.spool.SpoolRecord;
import dev.edgeline.config.BrokerConfig.IdentityLimits;
import java.util.Optional;

/**
 * Refuses a numbered record whose (boot, seq) lies too far above its stream's high-water mark. Without this, one
 * publish with a huge boot or seq (a bug, or a spoofing client that is trusted) raises the mark so far that every
 * later genuine reading of the stream counts as a duplicate: acknowledged and dropped, silently. A refused record
 * does not move the mark, so later genuine records are stored as usual. A stream without a mark yet accepts any
 * start. Stateless and thread-safe.
 */
public final class IdentityJumpGuard {
    private final Spool spool;
    private final IdentityLimits limits;

    public IdentityJumpGuard(Spool spool, IdentityLimits limits) {
        this.spool = spool;
        this.limits = limits;
    }

    /** Why {@code record} is refused, or empty when its identity is within bounds. */
    public Optional<Jump> check(SpoolRecord record) {
        if (record.seq() == SpoolRecord.ASSIGN_SEQ) {
            return Optional.empty();
        }
        Optional<Spool.StreamMark> mark = spool.markOf(record.device(), record.stream());
        if (mark.isEmpty()) {
            return Optional.empty();
        }
        // boot, seq and the mark are all >= 0, so the differences cannot overflow.
        long bootJump = record.boot() - mark.get().boot();
        long seqJump = record.seq() - mark.get().seq();
        if (bootJump > limits.maxBootJump()) {
            return Optional.of(new Jump(mark.get(), "boot jumps from " + mark.get().boot() + " to " + record.boot()
                    + " (more than broker.identity-limits.max-boot-jump " + limits.maxBootJump() + ")"));
        }
        if (seqJump > limits.maxSeqJump()) {
            return Optional.of(new Jump(mark.get(), "seq jumps from " + mark.get().seq() + " to " + record.seq()
                    + " (more than broker.identity-limits.max-seq-jump " + limits.maxSeqJump() + ")"));
        }
        return Optional.empty();
    }

    /** A refused jump: the stream's mark and what is wrong. */
    public record Jump(Spool.StreamMark mark, String reason) {}
}
