package dev.edgeline.bridge.commands;

import java.util.Objects;

/**
 * How one command ended, as the device reports it to the cloud (once).
 *
 * @param settleSeq  its number among the device's results (1, 2, 3, ... in the order the commands ended): what the
 *                   results mark committed in Kafka counts
 * @param commandId  the command's id
 * @param target     the command's target
 * @param state      how it ended
 * @param reason     why, for {@code rejected}, {@code expired} and {@code failed}; empty otherwise
 * @param response   the responder's payload for {@code completed} and {@code rejected}; empty otherwise
 * @param atMillis   when it ended (device wall clock, epoch milliseconds)
 */
public record CommandResult(long settleSeq, String commandId, String target, CommandState state, String reason,
                            byte[] response, long atMillis) {
    public CommandResult {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(response, "response");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CommandResult r && settleSeq == r.settleSeq && atMillis == r.atMillis
                && commandId.equals(r.commandId) && target.equals(r.target) && state == r.state
                && reason.equals(r.reason) && java.util.Arrays.equals(response, r.response);
    }

    @Override
    public int hashCode() {
        return Objects.hash(settleSeq, commandId, state);
    }

    @Override
    public String toString() {
        return "CommandResult[#" + settleSeq + " " + commandId + " -> " + target + ": " + state.label()
                + (reason.isEmpty() ? "" : " (" + reason + ")") + "]";
    }
}
