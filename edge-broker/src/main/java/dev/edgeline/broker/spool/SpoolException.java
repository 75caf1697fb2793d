package dev.edgeline.broker.spool;

/** The spool could not accept or store a record. The message says why; nothing already durable is affected. */
public class SpoolException extends Exception {
    private static final long serialVersionUID = 1L;

    public SpoolException(String message) {
        super(message);
    }

    public SpoolException(String message, Throwable cause) {
        super(message, cause);
    }
}
