package dev.edgeline.broker.spool;

/**
 * An append refused because the record itself can never be stored (too large for a frame, identity exhausted): the
 * publisher gets the reason, and the stream's later records are not held behind it.
 */
public final class RecordRefusedException extends SpoolException {
    private static final long serialVersionUID = 1L;

    public RecordRefusedException(String message) {
        super(message);
    }
}
