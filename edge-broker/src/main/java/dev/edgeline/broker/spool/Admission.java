package dev.edgeline.broker.spool;

import dev.edgeline.broker.spool.internal.RecentContent;
import dev.edgeline.broker.spool.internal.RecordCodec;
import dev.edgeline.broker.spool.internal.StreamMarks;
import dev.edgeline.broker.spool.internal.StreamMarks.Mark;
import dev.edgeline.broker.spool.internal.StreamMarks.StreamKey;
import dev.edgeline.config.SpoolConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What the spool does with each record, decided against the streams' marks: store it (with the identity the spool
 * assigns when it has none), acknowledge it as a duplicate, refuse it for good (malformed, an identity collision, a
 * stream limit reached, numbers used up), or refuse it because an earlier record of its stream was refused (in order,
 * or refused: its stream is held until that record is sent again). Owns the marks, the recent contents that tell a
 * duplicate from a collision, and the refused floors. Decisions and updates on the writer thread; {@link #precheck}
 * from any thread.
 */
final class Admission {
    /** The decision about one record. */
    enum Decision { STORE, DUPLICATE, REFUSE_FOR_GOOD, REFUSE_HOLDING_STREAM }

    /**
     * A decision, with the record to store (its identity assigned) and its stream, or why it is refused.
     *
     * @param original the record as appended (it tells whether the sender numbered it)
     */
    record Verdict(Decision decision, @Nullable SpoolRecord record, @Nullable SpoolRecord original,
                   @Nullable StreamKey key, @Nullable SpoolException why) {
        static Verdict store(SpoolRecord original, SpoolRecord record, StreamKey key) {
            return new Verdict(Decision.STORE, record, original, key, null);
        }

        static Verdict refuse(Decision decision, SpoolException why) {
            return new Verdict(decision, null, null, null, why);
        }
    }

    private static final Verdict DUPLICATE = new Verdict(Decision.DUPLICATE, null, null, null, null);

    private final StreamMarks marks = new StreamMarks();
    private final RecentContent recent = new RecentContent();
    private final Map<StreamKey, Mark> refusedFloors = new HashMap<>();
    private final SpoolConfig.StreamLimits limits;

    Admission(SpoolConfig.StreamLimits limits) {
        this.limits = limits;
    }

    StreamMarks marks() {
        return marks;
    }

    RecentContent recent() {
        return recent;
    }

    /** Decides one record. Writer thread. */
    Verdict decide(SpoolRecord record) {
        StreamKey key = new StreamKey(record.device(), record.stream());
        Optional<String> problem = RecordCodec.problemWith(record);
        if (problem.isPresent()) {
            return Verdict.refuse(Decision.REFUSE_FOR_GOOD, new RecordRefusedException(problem.get()));
        }
        if (isNumbered(record)) {
            Mark floor = refusedFloors.get(key);
            Mark mark = new Mark(record.boot(), record.seq());
            if (floor != null) {
                if (mark.boot() > floor.boot() || mark.compareTo(floor) <= 0) {
                    refusedFloors.remove(key);
                } else {
                    return Verdict.refuse(Decision.REFUSE_HOLDING_STREAM, new SpoolException("an earlier record of "
                            + "stream " + record.stream() + " (boot " + floor.boot() + " seq " + floor.seq()
                            + ") was refused; send it again first"));
                }
            }
            if (marks.isDuplicate(key, record.boot(), record.seq())) {
                return recent.differs(record).orElse(false)
                        ? Verdict.refuse(Decision.REFUSE_FOR_GOOD, collision(record)) : DUPLICATE;
            }
        }
        if (record.kind() == RecordKind.DATA && marks.get(key).isEmpty()) {
            Optional<String> overLimit = streamLimitProblem(key);
            if (overLimit.isPresent()) {
                return Verdict.refuse(Decision.REFUSE_FOR_GOOD,
                        new StreamLimitException(record.device(), overLimit.get()));
            }
        }
        if (record.kind() == RecordKind.DATA && record.seq() == SpoolRecord.ASSIGN_SEQ) {
            Optional<Mark> assigned = marks.nextIdentity(key, record.boot());
            if (assigned.isEmpty()) {
                return Verdict.refuse(Decision.REFUSE_FOR_GOOD, new RecordRefusedException("stream "
                        + record.stream() + " of " + record.device() + " has used up every boot and seq number"));
            }
            return Verdict.store(record, record.withIdentity(assigned.get().boot(), assigned.get().seq()), key);
        }
        return Verdict.store(record, record, key);
    }

    /**
     * Notes that the record of a {@link Decision#STORE} verdict was added to its lane: raises its stream's mark.
     * Returns the mark raised with the one before, for {@link #restore} if the batch fails; null for records that
     * are not data (no Optional: this runs for every stored record).
     */
    @Nullable Raised stored(Verdict stored) {
        SpoolRecord record = stored.record();
        if (record.kind() != RecordKind.DATA) {
            return null;
        }
        if (isNumbered(stored.original())) {
            recent.stored(record); // an assigned identity is above every mark: it cannot collide
        }
        return new Raised(stored.key(), marks.raise(stored.key(), record.boot(), record.seq()));
    }

    /** A stream's mark raised by a stored record, and the mark before. */
    record Raised(StreamKey key, @Nullable Mark previous) {}

    /** Puts back a mark raised by a batch that failed. */
    void restore(Raised raised) {
        marks.restore(raised.key(), raised.previous());
    }

    /**
     * Notes that {@code record} was refused while its stream goes on: its later records are refused until it is sent
     * again (unless it was a duplicate anyway).
     */
    void refused(SpoolRecord record) {
        if (!isNumbered(record)) {
            return;
        }
        StreamKey key = new StreamKey(record.device(), record.stream());
        Mark mark = new Mark(record.boot(), record.seq());
        Mark floor = refusedFloors.get(key);
        if ((floor == null || mark.compareTo(floor) < 0) && !marks.isDuplicate(key, record.boot(), record.seq())) {
            refusedFloors.put(key, mark);
        }
    }

    /** What would refuse {@code record} for good, known before it is queued. Any thread. */
    Optional<SpoolException> precheck(SpoolRecord record) {
        if (record.kind() != RecordKind.DATA) {
            return Optional.empty();
        }
        StreamKey key = new StreamKey(record.device(), record.stream());
        if (marks.get(key).isEmpty()) {
            return streamLimitProblem(key).map(problem -> new StreamLimitException(record.device(), problem));
        }
        if (record.seq() != SpoolRecord.ASSIGN_SEQ && marks.isDuplicate(key, record.boot(), record.seq())
                && recent.differs(record).orElse(false)) {
            return Optional.of(collision(record));
        }
        return Optional.empty();
    }

    private static boolean isNumbered(SpoolRecord record) {
        return record.kind() == RecordKind.DATA && record.seq() != SpoolRecord.ASSIGN_SEQ;
    }

    private static IdentityCollisionException collision(SpoolRecord record) {
        return new IdentityCollisionException("stream " + record.stream() + " of " + record.device()
                + " already holds boot " + record.boot() + " seq " + record.seq() + " with other content: refused, "
                + "not acknowledged as a duplicate (is another publisher using this stream's identity?)");
    }

    /** Why a new stream {@code key} may not start (a stream limit is reached), or empty. Any thread. */
    private Optional<String> streamLimitProblem(StreamKey key) {
        int ofDevice = marks.streamsOf(key.device());
        if (ofDevice >= limits.perDevice()) {
            return Optional.of("device " + key.device() + " has " + ofDevice + " streams, the most allowed "
                    + "(spool.max-streams-per-device); new stream '" + abbreviate(key.stream()) + "' refused");
        }
        if (marks.size() >= limits.total()) {
            return Optional.of("the spool has " + marks.size() + " streams, the most allowed (spool.max-streams); "
                    + "new stream '" + abbreviate(key.stream()) + "' of " + key.device() + " refused");
        }
        return Optional.empty();
    }

    private static String abbreviate(String name) {
        return name.length() <= 96 ? name : name.substring(0, 96) + "...";
    }
}
