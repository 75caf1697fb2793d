package dev.edgeline.workbench.console;

import io.javalin.Javalin;
import io.javalin.http.ContentType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The console's HTTP side, on Javalin (Jetty underneath): {@code GET /} the page (one HTML file with its script and
 * styles inline: nothing is fetched from the internet), {@code GET /api/fleet} the {@link FleetView} as JSON, which
 * the page polls every second. Read-only; binds loopback unless told otherwise.
 */
final class ConsoleServer implements AutoCloseable {
    private final Javalin app;

    private ConsoleServer(Javalin app) {
        this.app = app;
    }

    static ConsoleServer start(String host, int port, FleetView view) {
        String page = resource("index.html");
        Javalin app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.routes.get("/", ctx -> ctx.contentType(ContentType.TEXT_HTML).result(page));
            config.routes.get("/api/fleet", ctx -> ctx.contentType(ContentType.APPLICATION_JSON)
                    .header("Cache-Control", "no-store").result(view.toJson(System.currentTimeMillis())));
        }).start(host, port);
        return new ConsoleServer(app);
    }

    int port() {
        return app.port();
    }

    private static String resource(String name) {
        try (InputStream in = ConsoleServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("console resource " + name + " is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        app.stop();
    }
}
