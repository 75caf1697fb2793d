package dev.edgeline.bridge.commands;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far the device's results are in Kafka, kept as the metadata of the command topic's committed offset:
 * {@code results <queue epoch> <n>}, written in the transaction that writes result n. A mark of another queue epoch
 * (the queue's directory was replaced) or an unreadable one counts as none: the results are written from the first.
 */
final class ResultsMark {
    private static final Logger LOG = LoggerFactory.getLogger(ResultsMark.class);

    private ResultsMark() {}

    static String of(long epoch, long mark) {
        return "results " + epoch + " " + mark;
    }

    /** The mark in {@code metadata} for a queue of {@code epoch}; 0 when there is none for it. */
    static long parse(String metadata, long epoch, String logPrefix) {
        String[] parts = metadata == null ? new String[0] : metadata.split(" ");
        if (parts.length == 3 && parts[0].equals("results")) {
            try {
                if (Long.parseLong(parts[1]) == epoch) {
                    return Long.parseLong(parts[2]);
                }
                LOG.warn("{}Kafka's results mark belongs to queue epoch {}, this queue is epoch {} (its directory "
                        + "was replaced): its results are written from the first", logPrefix, parts[1], epoch);
                return 0;
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        if (metadata != null && !metadata.isEmpty()) {
            LOG.warn("{}unreadable results mark '{}' in the committed offset: ignored", logPrefix, metadata);
        }
        return 0;
    }
}
