package dev.edgeline.broker.spool;

/**
 * A durable record read back from the spool, with its place in it.
 *
 * @param position     spool position of the record (a byte offset across all segments)
 * @param nextPosition position of the record after it; commit this to mark the record as consumed
 * @param record       the record
 */
public record SpooledRecord(long position, long nextPosition, SpoolRecord record) {}
