package dev.edgeline.broker.spool;

/**
 * A durable record read back from the spool, with its place in it.
 *
 * @param lane         the lane it was read from
 * @param position     its position in the lane (a byte offset across the lane's segments)
 * @param nextPosition position of the record after it in the lane
 * @param record       the record
 */
public record SpooledRecord(String lane, long position, long nextPosition, SpoolRecord record) {}
