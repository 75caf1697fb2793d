package dev.edgeline.bridge.commands;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A command for this device, as its queue keeps it.
 *
 * @param id               the sender's id for it, unique per device; a second command with the same id is a
 *                         duplicate and is executed once
 * @param target           what it is for: the last level of {@code edge/<device>/commands/<target>}
 * @param receivedAtMillis when the device stored it (wall clock, epoch milliseconds)
 * @param expiresAtMillis  when its time to live runs out (epoch milliseconds); {@link #NEVER} for never
 * @param responseRequired whether it ends with the responder's answer ({@code completed}/{@code rejected}) or
 *                         with its delivery ({@code delivered})
 * @param payload          the command's payload, unchanged (callers must not modify the array)
 * @param queueSeq         its number in the device's queue, in the order the device received commands
 */
public record Command(String id, String target, long receivedAtMillis, long expiresAtMillis, boolean responseRequired,
                      byte[] payload, long queueSeq) {
    /** {@code expiresAtMillis} of a command without a time to live. */
    public static final long NEVER = Long.MAX_VALUE;
    /** The longest id accepted, in UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 128;
    /** The longest target accepted, in UTF-8 bytes. */
    public static final int MAX_TARGET_BYTES = 64;

    public Command {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(payload, "payload");
        String idProblem = idProblem(id);
        if (idProblem != null) {
            throw new IllegalArgumentException(idProblem);
        }
        String targetProblem = targetProblem(target);
        if (targetProblem != null) {
            throw new IllegalArgumentException(targetProblem);
        }
    }

    /** Why {@code id} cannot be a command id, or null when it can. */
    public static String idProblem(String id) {
        if (id.isEmpty()) {
            return "command id is empty";
        }
        int bytes = id.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_ID_BYTES) {
            return "command id of " + bytes + " bytes, over the limit of " + MAX_ID_BYTES;
        }
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                return "command id contains a control character at index " + i;
            }
        }
        return null;
    }

    /**
     * Why {@code target} cannot be a command target, or null when it can: one MQTT topic level of letters, digits,
     * {@code - _ .}, at most {@link #MAX_TARGET_BYTES} long.
     */
    public static String targetProblem(String target) {
        if (target.isEmpty()) {
            return "command target is empty";
        }
        if (target.length() > MAX_TARGET_BYTES) {
            return "command target of " + target.length() + " characters, over the limit of " + MAX_TARGET_BYTES;
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
                    || c == '.')) {
                return "command target '" + target + "' has '" + c + "' at index " + i
                        + " (allowed: letters, digits, - _ .)";
            }
        }
        return null;
    }

    /** Whether its time to live has run out at {@code nowMillis}. */
    public boolean expiredAt(long nowMillis) {
        return nowMillis >= expiresAtMillis;
    }

    /** What it counts against the queue's byte bound: payload, id and target. */
    public long queuedBytes() {
        return payload.length + id.length() + target.length();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Command c && receivedAtMillis == c.receivedAtMillis && expiresAtMillis == c.expiresAtMillis
                && responseRequired == c.responseRequired && queueSeq == c.queueSeq && id.equals(c.id)
                && target.equals(c.target) && java.util.Arrays.equals(payload, c.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, target, queueSeq);
    }

    @Override
    public String toString() {
        return "Command[" + id + " -> " + target + ", #" + queueSeq + ", " + payload.length + " bytes]";
    }
}
