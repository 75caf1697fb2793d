package dev.edgeline.broker.spool;

/**
 * An append refused because a record with the same identity (device, stream, boot, seq) and other content is stored
 * already: two publishers reusing a seq, or a publisher forging another stream's identity. Acknowledging it as a
 * duplicate would drop its content silently. Later records of the stream are not held behind it.
 */
public final class IdentityCollisionException extends SpoolException {
    private static final long serialVersionUID = 1L;

    public IdentityCollisionException(String message) {
        super(message);
    }
}
