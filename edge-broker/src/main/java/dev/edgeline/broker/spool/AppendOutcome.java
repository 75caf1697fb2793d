package dev.edgeline.broker.spool;

/** What happened to an appended record once the spool confirmed it. Either way the record is durable. */
public enum AppendOutcome {
    /** Written and fsynced now. */
    APPENDED,
    /** Its identity (device, stream, boot, seq) was at or below the stream's high-water mark: already spooled. */
    DUPLICATE
}
