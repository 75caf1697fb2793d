package dev.edgeline.broker.spool;

import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * One queued append: the index of its lane, the record, the future that completes once the record is durable (or
 * refused), when it was queued (for the block timeout), and where it came from ({@code null} when the record carries
 * its own identity).
 */
record PendingAppend(int lane, SpoolRecord record, CompletableFuture<AppendOutcome> future, long enqueuedNanos,
                     Spool.@Nullable Origin origin) {}
