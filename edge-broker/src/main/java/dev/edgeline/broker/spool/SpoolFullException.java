package dev.edgeline.broker.spool;

/** A lane (or the whole spool) has no room for the record and its policy is to refuse it. */
public final class SpoolFullException extends SpoolException {
    private static final long serialVersionUID = 1L;

    public SpoolFullException(String message) {
        super(message);
    }
}
