package dev.edgeline.appliance.analyst;

import java.util.ArrayList;
import java.util.List;

/**
 * What an analyst can check of one stream from Kafka alone: records, duplicates (an identity seen twice), records
 * out of order (an identity not above the one before it in the partition) and holes (seq numbers missing between
 * the lowest and highest seen; {@code seq} is continuous per stream, so a hole means records that did not arrive),
 * each hole split into what gap markers explain and what they do not. Memory grows with the holes, not the records
 * ({@link SeqRanges}). Not thread-safe; one per stream.
 */
public final class StreamAudit {
    /** A range of missing seq numbers, inclusive. */
    public record Hole(long first, long last) {
        public long size() {
            return last - first + 1;
        }
    }

    private final SeqRanges seqs = new SeqRanges();
    private long records;
    private long duplicates;
    private long outOfOrder;
    private long lastBoot = Long.MIN_VALUE;
    private long lastSeq = Long.MIN_VALUE;

    /** One record, in partition order. */
    public void add(long boot, long seq) {
        records++;
        if (!seqs.add(seq)) {
            duplicates++; // seq is continuous per stream across boots: a seq seen before is the same record
            return;
        }
        if (boot < lastBoot || (boot == lastBoot && seq <= lastSeq)) {
            outOfOrder++;
        } else {
            lastBoot = boot;
            lastSeq = seq;
        }
    }

    public long records() {
        return records;
    }

    public long duplicates() {
        return duplicates;
    }

    public long outOfOrder() {
        return outOfOrder;
    }

    /** The missing ranges between the lowest and the highest seq seen. */
    public List<Hole> holes() {
        return seqs.holes();
    }

    /** The parts of the holes that no range in {@code explained} covers. */
    public List<Hole> unexplained(List<Hole> explained) {
        List<Hole> remaining = new ArrayList<>();
        for (Hole hole : holes()) {
            long from = hole.first();
            for (Hole cover : explained.stream().sorted((a, b) -> Long.compare(a.first(), b.first())).toList()) {
                if (cover.last() < from || cover.first() > hole.last()) {
                    continue;
                }
                if (cover.first() > from) {
                    remaining.add(new Hole(from, cover.first() - 1));
                }
                from = Math.max(from, cover.last() + 1);
                if (from > hole.last()) {
                    break;
                }
            }
            if (from <= hole.last()) {
                remaining.add(new Hole(from, hole.last()));
            }
        }
        return remaining;
    }
}
