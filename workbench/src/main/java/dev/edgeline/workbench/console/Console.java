package dev.edgeline.workbench.console;

import java.util.List;

/**
 * The live web console ({@code bin/edge console}): a {@link FleetReader} filling a {@link FleetView} from Kafka and a
 * {@link ConsoleServer} showing it. Started and closed together.
 */
public final class Console implements AutoCloseable {
    private final FleetReader reader;
    private final ConsoleServer server;

    private Console(FleetReader reader, ConsoleServer server) {
        this.reader = reader;
        this.server = server;
    }

    /** Reads {@code topics} (all of the fleet's when empty) and the gap topic from {@code bootstrap}; serves them. */
    public static Console start(String bootstrap, List<String> topics, String gapTopic, String host, int port) {
        FleetView view = new FleetView();
        FleetReader reader = new FleetReader(bootstrap, topics, gapTopic, view);
        ConsoleServer server;
        try {
            server = ConsoleServer.start(host, port, view);
        } catch (RuntimeException e) {
            reader.close();
            throw e;
        }
        reader.start();
        return new Console(reader, server);
    }

    /** The port the page is served on. */
    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            reader.close();
        }
    }
}
