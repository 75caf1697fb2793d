package dev.edgeline.bridge.commands;

import dev.edgeline.broker.spool.internal.AtomicFiles;
import dev.edgeline.config.DurableDirectories;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device's durable queue of cloud commands: what was received and not yet ended, in order per target, and how
 * each ended until its result is in Kafka.
 *
 * <p><b>Guarantees.</b> {@link #offer} returns only once the command (or, when it is refused, its result) is on disk
 * (fsync), so the caller may then commit its consumption in Kafka. Every command offered once ends in exactly one
 * {@link CommandResult}, numbered in the order commands end ({@link CommandResult#settleSeq}); {@link #settle}
 * returns only once the result is on disk, and a command settles once (a second settle finds nothing pending). A
 * command whose id is pending, or among the last {@code rememberSettled} settled ones, is a duplicate: not stored,
 * not executed again, no second result. The pending commands' bytes are bounded by {@code maxBytes}; beyond it a
 * command is refused at once with a {@code rejected} result, reason {@code queue full}, never dropped silently.
 *
 * <p><b>File.</b> {@code <directory>/commands.log}, an append-only log of frames ({@link CommandLogCodec}): the
 * queue's start (epoch, next numbers), each command stored, each result, and how far the results are in Kafka
 * (written without fsync: the mark that counts is the one committed in Kafka with them, see {@link CommandBridge};
 * this one only saves writing them again when Kafka's says the same). A power cut can tear the last frame, which was never acknowledged: it is cut off when the queue opens.
 * Damage elsewhere (a bad sector) is skipped to the next valid frame and logged as an error. The log is rewritten
 * (atomically: temporary file, fsync, rename, fsync of the directory) when it has grown to four times what it must
 * keep.
 *
 * <p>Thread-safe: every method holds the queue's lock (the writes are small and rare: commands, not readings).
 */
public final class CommandQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommandQueue.class);
    static final String FILE = "commands.log";
    private static final int MAX_REASON_CHARS = 1024;
    private static final long MIN_COMPACT_BYTES = 256 << 10;

    /** What {@link #offer} did with a command. */
    public enum Admission {
        /** Stored; it will be delivered and end in a result. */
        ACCEPTED,
        /** Its id is pending or settled already: nothing done. */
        DUPLICATE,
        /** Ended at once (queue full, time to live already over); its result is {@link Offer#result()}. */
        SETTLED
    }

    /** The outcome of {@link #offer}: the admission, and the result when it was settled at once. */
    public record Offer(Admission admission, Optional<CommandResult> result) {}

    private final Path file;
    private final long maxBytes;
    private final int rememberSettled;
    private final InstantSource clock;
    private final long epoch;
    private FileChannel channel;
    private long nextQueueSeq;
    private long nextSettleSeq;
    private long forwardedUpTo;
    private long pendingBytes;
    private final Map<String, Command> pending = new HashMap<>();
    private final Map<String, ArrayDeque<Command>> pendingByTarget = new LinkedHashMap<>();
    /** The last settled results, by command id, oldest first; trimmed to {@code rememberSettled}. */
    private final LinkedHashMap<String, CommandResult> settled = new LinkedHashMap<>();
    private final ArrayDeque<CommandResult> unforwarded = new ArrayDeque<>();

    private CommandQueue(Path file, long maxBytes, int rememberSettled, InstantSource clock, long epoch) {
        this.file = file;
        this.maxBytes = maxBytes;
        this.rememberSettled = rememberSettled;
        this.clock = clock;
        this.epoch = epoch;
    }

    /**
     * Opens the queue in {@code directory}, creating it with {@code newEpoch} when there is none (any number this
     * device's queues never had before, such as the time of creation: it tells this queue's results mark in Kafka
     * from an earlier queue's).
     *
     * @param maxBytes        bound on the pending commands' bytes (payload, id, target)
     * @param rememberSettled how many settled ids are remembered to recognise duplicates (at least 1)
     */
    public static CommandQueue open(Path directory, long newEpoch, long maxBytes, int rememberSettled,
                                    InstantSource clock) throws IOException {
        if (maxBytes < 1 || rememberSettled < 1) {
            throw new IllegalArgumentException("maxBytes and rememberSettled must be positive: " + maxBytes + ", "
                    + rememberSettled);
        }
        DurableDirectories.create(directory);
        Path file = directory.resolve(FILE);
        if (!Files.exists(file)) {
            AtomicFiles.write(file, CommandLogCodec.encode(new CommandLogCodec.Start(newEpoch, 1, 1)));
        }
        ByteBuffer log = ByteBuffer.wrap(Files.readAllBytes(file));
        int first = CommandLogCodec.frameSize(log, 0);
        if (first < 0 || !(CommandLogCodec.decode(log, 0, first) instanceof CommandLogCodec.Start start)) {
            throw new IOException(file + " is damaged: it does not begin with the queue's start frame; move it aside "
                    + "to start an empty command queue (its pending commands are then lost; the cloud sees no result "
                    + "for them)");
        }
        CommandQueue queue = new CommandQueue(file, maxBytes, rememberSettled, clock, start.epoch());
        queue.load(start, log, first);
        return queue;
    }

    /** Replays the log, cuts a torn tail and opens the file for appending. */
    private synchronized void load(CommandLogCodec.Start start, ByteBuffer log, int first) throws IOException {
        nextQueueSeq = start.nextQueueSeq();
        nextSettleSeq = start.nextSettleSeq();
        long validEnd = replay(log, first);
        channel = FileChannel.open(file, StandardOpenOption.WRITE);
        if (validEnd < log.limit()) {
            LOG.warn("[Commands {}] cut {} bytes of a torn last frame at offset {} (written, never acknowledged)",
                    file, log.limit() - validEnd, validEnd);
            channel.truncate(validEnd);
            channel.force(true);
        }
        channel.position(validEnd);
        LOG.info("[Commands {}] opened: epoch {}, {} pending ({} bytes), {} results not yet in Kafka", file,
                epoch, pending.size(), pendingBytes, unforwarded.size());
    }

    /** Replays the frames after the start frame; returns where the last valid frame ends. */
    private long replay(ByteBuffer log, int offset) {
        int end = offset;
        while (offset < log.limit()) {
            int size = CommandLogCodec.frameSize(log, offset);
            CommandLogCodec.Entry entry = null;
            if (size > 0) {
                try {
                    entry = CommandLogCodec.decode(log, offset, size);
                } catch (IllegalArgumentException e) {
                    LOG.error("[Commands {}] frame at offset {} does not decode ({}); skipped", file, offset,
                            e.getMessage());
                }
            }
            if (entry == null) {
                int next = nextValidFrame(log, offset);
                if (next < 0) {
                    return end; // a torn tail: cut by the caller
                }
                LOG.error("[Commands {}] {} damaged bytes at offset {} skipped; a command or result there is lost",
                        file, next - offset, offset);
                offset = next;
                continue;
            }
            apply(entry);
            offset += size;
            end = offset;
        }
        return end;
    }

    private static int nextValidFrame(ByteBuffer log, int damaged) {
        for (int offset = damaged + 1; offset < log.limit(); offset++) {
            int size = CommandLogCodec.frameSize(log, offset);
            if (size > 0) {
                try {
                    CommandLogCodec.decode(log, offset, size);
                    return offset;
                } catch (IllegalArgumentException e) {
                    // not a frame after all
                }
            }
        }
        return -1;
    }

    private void apply(CommandLogCodec.Entry entry) {
        switch (entry) {
            case CommandLogCodec.Start s -> { } // only the first frame counts
            case CommandLogCodec.Accepted a -> {
                addPending(a.command());
                nextQueueSeq = Math.max(nextQueueSeq, a.command().queueSeq() + 1);
            }
            case CommandLogCodec.Settled s -> {
                removePending(s.result().commandId());
                remember(s.result());
                nextSettleSeq = Math.max(nextSettleSeq, s.result().settleSeq() + 1);
                if (s.result().settleSeq() > forwardedUpTo) {
                    unforwarded.add(s.result());
                }
                if (s.queueSeq() >= 0) {
                    nextQueueSeq = Math.max(nextQueueSeq, s.queueSeq() + 1);
                }
            }
            case CommandLogCodec.Forwarded f -> dropForwarded(f.settleSeq());
        }
    }

    /**
     * Stores a command received from the cloud: {@code id}, {@code target}, payload, time to live
     * ({@code expiresAtMillis}, or {@link Command#NEVER}) and whether a response is expected. Durable when it
     * returns.
     */
    public synchronized Offer offer(String id, String target, byte[] payload, long expiresAtMillis,
                                    boolean responseRequired) throws IOException {
        if (pending.containsKey(id) || settled.containsKey(id)) {
            return new Offer(Admission.DUPLICATE, Optional.empty());
        }
        long now = clock.millis();
        Command command = new Command(id, target, now, expiresAtMillis, responseRequired, payload, nextQueueSeq);
        if (command.expiredAt(now)) {
            return settledAtOnce(command, CommandState.EXPIRED, "time to live ran out before the device received it");
        }
        if (pendingBytes + command.queuedBytes() > maxBytes) {
            return settledAtOnce(command, CommandState.REJECTED, "queue full (" + pendingBytes + " of " + maxBytes
                    + " bytes pending)");
        }
        append(CommandLogCodec.encode(new CommandLogCodec.Accepted(command)), true);
        nextQueueSeq++;
        addPending(command);
        return new Offer(Admission.ACCEPTED, Optional.empty());
    }

    /**
     * Ends a command that cannot be stored (a malformed record) with {@code rejected} and {@code reason}, once per
     * id: durable when it returns; {@link Admission#DUPLICATE} when the id is pending or settled already.
     */
    public synchronized Offer refuse(String id, String target, String reason) throws IOException {
        if (pending.containsKey(id) || settled.containsKey(id)) {
            return new Offer(Admission.DUPLICATE, Optional.empty());
        }
        String bounded = reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason;
        return settledAtOnce(new Command(id, target, clock.millis(), Command.NEVER, false, new byte[0], nextQueueSeq),
                CommandState.REJECTED, bounded);
    }

    private Offer settledAtOnce(Command command, CommandState state, String reason) throws IOException {
        CommandResult result = new CommandResult(nextSettleSeq, command.id(), command.target(), state, reason,
                new byte[0], command.receivedAtMillis());
        append(CommandLogCodec.encode(new CommandLogCodec.Settled(result, -1)), true);
        nextSettleSeq++;
        nextQueueSeq++;
        remember(result);
        unforwarded.add(result);
        compactIfLarge();
        return new Offer(Admission.SETTLED, Optional.of(result));
    }

    /**
     * Ends the pending command {@code id} with {@code state}; durable when it returns. Empty when no such command is
     * pending (never received, or ended already: a late response after its expiry, a second response).
     */
    public synchronized Optional<CommandResult> settle(String id, CommandState state, String reason, byte[] response)
            throws IOException {
        Command command = pending.get(id);
        if (command == null) {
            return Optional.empty();
        }
        String bounded = reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason;
        CommandResult result = new CommandResult(nextSettleSeq, id, command.target(), state, bounded, response,
                clock.millis());
        append(CommandLogCodec.encode(new CommandLogCodec.Settled(result, command.queueSeq())), true);
        nextSettleSeq++;
        removePending(id);
        remember(result);
        unforwarded.add(result);
        compactIfLarge();
        return Optional.of(result);
    }

    /** Ends every pending command whose time to live has run out with {@code expired}; their results. */
    public synchronized List<CommandResult> expireDue() throws IOException {
        long now = clock.millis();
        List<String> due = pending.values().stream().filter(c -> c.expiredAt(now))
                .sorted(java.util.Comparator.comparingLong(Command::queueSeq)).map(Command::id).toList();
        List<CommandResult> results = new ArrayList<>();
        for (String id : due) {
            settle(id, CommandState.EXPIRED, "time to live ran out before the command was answered", new byte[0])
                    .ifPresent(results::add);
        }
        return results;
    }

    /** The first pending command of each target, oldest first. */
    public synchronized List<Command> heads() {
        return pendingByTarget.values().stream().map(ArrayDeque::peekFirst)
                .sorted(java.util.Comparator.comparingLong(Command::queueSeq)).toList();
    }

    /** The pending command {@code id}, if it is pending. */
    public synchronized Optional<Command> pendingCommand(String id) {
        return Optional.ofNullable(pending.get(id));
    }

    /** Whether some result is not yet marked as in Kafka. */
    public synchronized boolean hasUnforwarded() {
        return !unforwarded.isEmpty();
    }

    /** How many results are not yet marked as in Kafka. */
    public synchronized int unforwardedCount() {
        return unforwarded.size();
    }

    /** The result of the last command settled whose id starts with {@code idPrefix}, among those remembered. */
    public synchronized Optional<CommandResult> lastSettled(String idPrefix) {
        for (CommandResult result : settled.sequencedValues().reversed()) {
            if (result.commandId().startsWith(idPrefix)) {
                return Optional.of(result);
            }
        }
        return Optional.empty();
    }

    /** Results not yet marked as in Kafka, oldest first. */
    public synchronized List<CommandResult> unforwarded() {
        return List.copyOf(unforwarded);
    }

    /** Marks every result up to {@code settleSeq} as in Kafka (written without fsync; see the class comment). */
    public synchronized void forwarded(long settleSeq) throws IOException {
        if (settleSeq <= forwardedUpTo) {
            return;
        }
        append(CommandLogCodec.encode(new CommandLogCodec.Forwarded(settleSeq)), false);
        dropForwarded(settleSeq);
        compactIfLarge();
    }

    /** The queue's epoch: the number it was created with, kept in its log. */
    public long epoch() {
        return epoch;
    }

    public synchronized int pendingCount() {
        return pending.size();
    }

    public synchronized long pendingBytes() {
        return pendingBytes;
    }

    private void addPending(Command command) {
        pending.put(command.id(), command);
        pendingByTarget.computeIfAbsent(command.target(), t -> new ArrayDeque<>()).addLast(command);
        pendingBytes += command.queuedBytes();
    }

    private void removePending(String id) {
        Command command = pending.remove(id);
        if (command == null) {
            return;
        }
        ArrayDeque<Command> queue = pendingByTarget.get(command.target());
        queue.remove(command);
        if (queue.isEmpty()) {
            pendingByTarget.remove(command.target());
        }
        pendingBytes -= command.queuedBytes();
    }

    private void remember(CommandResult result) {
        settled.put(result.commandId(), result);
        while (settled.size() > rememberSettled) {
            settled.pollFirstEntry();
        }
    }

    private void dropForwarded(long settleSeq) {
        forwardedUpTo = Math.max(forwardedUpTo, settleSeq);
        while (!unforwarded.isEmpty() && unforwarded.peekFirst().settleSeq() <= forwardedUpTo) {
            unforwarded.pollFirst();
        }
    }

    private void append(byte[] frame, boolean sync) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(frame);
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        if (sync) {
            channel.force(false);
        }
    }

    /** Rewrites the log with only what it must keep, when it has grown to four times that (estimated). */
    private void compactIfLarge() throws IOException {
        long keptEstimate = pendingBytes + 64L * (pending.size() + settled.size() + unforwarded.size())
                + unforwarded.stream().mapToLong(r -> r.response().length + r.reason().length()).sum();
        if (channel.size() < Math.max(MIN_COMPACT_BYTES, 4 * keptEstimate)) {
            return;
        }
        byte[] kept = keptFrames();
        channel.close();
        AtomicFiles.write(file, kept);
        channel = FileChannel.open(file, StandardOpenOption.WRITE);
        channel.position(channel.size());
        LOG.info("[Commands {}] log rewritten: {} bytes, {} pending, {} remembered results", file, kept.length,
                pending.size(), settled.size());
    }

    /**
     * The start frame with today's numbers, the results (oldest first: those not yet in Kafka that are no
     * longer remembered, then the remembered ones, the latter without reason and response once in Kafka), the
     * forwarded mark, the pending commands.
     */
    private byte[] keptFrames() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(CommandLogCodec.encode(new CommandLogCodec.Start(epoch, nextQueueSeq, nextSettleSeq)));
        for (CommandResult result : unforwarded) {
            if (!settled.containsKey(result.commandId())) {
                out.writeBytes(CommandLogCodec.encode(new CommandLogCodec.Settled(result, -1)));
            }
        }
        for (CommandResult result : settled.values()) {
            boolean inKafka = result.settleSeq() <= forwardedUpTo;
            CommandResult kept = inKafka ? new CommandResult(result.settleSeq(), result.commandId(), result.target(),
                    result.state(), "", new byte[0], result.atMillis()) : result;
            out.writeBytes(CommandLogCodec.encode(new CommandLogCodec.Settled(kept, -1)));
        }
        out.writeBytes(CommandLogCodec.encode(new CommandLogCodec.Forwarded(forwardedUpTo)));
        pending.values().stream().sorted(java.util.Comparator.comparingLong(Command::queueSeq))
                .forEach(c -> out.writeBytes(CommandLogCodec.encode(new CommandLogCodec.Accepted(c))));
        return out.toByteArray();
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
