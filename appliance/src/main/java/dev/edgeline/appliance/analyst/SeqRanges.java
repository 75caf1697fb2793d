package dev.edgeline.appliance.analyst;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The set of seq numbers seen in one stream, kept as disjoint ranges: memory grows with the number of holes, not
 * with the records (a stream of a billion records and no hole is one range). Not thread-safe.
 */
public final class SeqRanges {
    private final TreeMap<Long, Long> ranges = new TreeMap<>(); // first -> last, inclusive, disjoint, not adjacent

    /** Adds {@code seq}; false when it was already in the set (a duplicate). */
    public boolean add(long seq) {
        Map.Entry<Long, Long> below = ranges.floorEntry(seq);
        if (below != null && below.getValue() >= seq) {
            return false;
        }
        boolean joinsBelow = below != null && below.getValue() == seq - 1;
        Map.Entry<Long, Long> above = seq == Long.MAX_VALUE ? null : ranges.ceilingEntry(seq + 1);
        boolean joinsAbove = above != null && above.getKey() == seq + 1;
        if (joinsBelow && joinsAbove) {
            ranges.put(below.getKey(), above.getValue());
            ranges.remove(above.getKey());
        } else if (joinsBelow) {
            ranges.put(below.getKey(), seq);
        } else if (joinsAbove) {
            ranges.remove(above.getKey());
            ranges.put(seq, above.getValue());
        } else {
            ranges.put(seq, seq);
        }
        return true;
    }

    /** The missing ranges between the lowest and the highest seq seen. */
    public List<StreamAudit.Hole> holes() {
        List<StreamAudit.Hole> holes = new ArrayList<>();
        Long previousLast = null;
        for (Map.Entry<Long, Long> range : ranges.entrySet()) {
            if (previousLast != null) {
                holes.add(new StreamAudit.Hole(previousLast + 1, range.getKey() - 1));
            }
            previousLast = range.getValue();
        }
        return holes;
    }
}
