package dev.edgeline.appliance.ops;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * systemd's notification protocol ({@code sd_notify(3)}): one datagram such as {@code READY=1} or
 * {@code WATCHDOG=1} to the AF_UNIX socket named by {@code $NOTIFY_SOCKET} (a path, or {@code @name} for the abstract
 * namespace). The JDK has no AF_UNIX datagram sockets, so this calls the C library's {@code socket} and
 * {@code sendto} through the Foreign Function API; no library of ours, no helper process (a {@code systemd-notify}
 * child exits before systemd can attribute its message to the service).
 *
 * <p>Not thread-safe; one instance per process, used by {@link Watchdog}.
 */
public final class SdNotify implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SUN_PATH_BYTES = 108;
    private static final int MSG_NOSIGNAL = 0x4000;

    private final MethodHandle sendto;
    private final MethodHandle close;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment address;
    private final int addressLength;
    private final int socket;

    private SdNotify(String socketName) {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        MethodHandle socketCall = linker.downcallHandle(libc.find("socket").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT));
        sendto = linker.downcallHandle(libc.find("sendto").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        close = linker.downcallHandle(libc.find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        byte[] path = socketName.getBytes(StandardCharsets.UTF_8);
        if (path.length >= SUN_PATH_BYTES) {
            throw new IllegalArgumentException("NOTIFY_SOCKET is longer than " + (SUN_PATH_BYTES - 1) + " bytes");
        }
        boolean abstractName = path[0] == '@';
        if (abstractName) {
            path[0] = 0;
        }
        address = arena.allocate(2 + SUN_PATH_BYTES);
        address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(path, 0, address, ValueLayout.JAVA_BYTE, 2, path.length);
        addressLength = 2 + path.length + (abstractName ? 0 : 1);
        try {
            socket = (int) socketCall.invokeExact(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        } catch (Throwable e) {
            throw new IllegalStateException("socket(AF_UNIX, SOCK_DGRAM) failed", e);
        }
        if (socket < 0) {
            throw new IllegalStateException("socket(AF_UNIX, SOCK_DGRAM) failed");
        }
    }

    /** The notifier of this process when systemd asked for notifications ({@code $NOTIFY_SOCKET} set). */
    public static Optional<SdNotify> fromEnvironment() {
        String name = System.getenv("NOTIFY_SOCKET");
        return name == null || name.isEmpty() ? Optional.empty() : Optional.of(new SdNotify(name));
    }

    /** A notifier sending to {@code socketName} (tests). */
    static SdNotify to(String socketName) {
        return new SdNotify(socketName);
    }

    /** Sends one state line ({@code READY=1}, {@code WATCHDOG=1}, {@code STATUS=...}); false when it was not sent. */
    public boolean send(String state) {
        byte[] bytes = state.getBytes(StandardCharsets.UTF_8);
        try (Arena call = Arena.ofConfined()) {
            MemorySegment message = call.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, message, ValueLayout.JAVA_BYTE, 0, bytes.length);
            long sent = (long) sendto.invokeExact(socket, message, (long) bytes.length, MSG_NOSIGNAL, address,
                    addressLength);
            return sent == bytes.length;
        } catch (Throwable e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            int ignored = (int) close.invokeExact(socket);
        } catch (Throwable e) {
            // nothing to do: the process is stopping
        }
        arena.close();
    }
}
