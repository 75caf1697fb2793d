package dev.edgeline.appliance.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.Predicate;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service's HTTP endpoint (the JDK's own HTTP server: nothing more on the device's class path):
 * {@code GET /metrics} in the Prometheus text format, {@code GET /health} answering 200 when passing and 503 with
 * every problem named when failing.
 *
 * <p>With a bearer token ({@code monitoring.bearer-token-file}), requests from other hosts must carry it
 * ({@code Authorization: Bearer}, compared in constant time) or get 401; the device's own requests (loopback: the
 * provisioning health gate, an operator on the device) need none.
 *
 * <p>Slow or hostile clients cannot stall it: a request must arrive whole within {@value #MAX_REQUEST_SECONDS} s and
 * its answer be taken within {@value #MAX_RESPONSE_SECONDS} s, or the connection is closed; at most
 * {@value #MAX_CONNECTIONS} connections are open at once; {@value #WORKERS} worker threads
 * ({@code monitoring-http-N}; a scrape is a few milliseconds) serve them, so a few half-sent requests, each holding a
 * worker until its deadline, leave the others answering. The limits are the JDK server's system properties
 * ({@code sun.net.httpserver.maxReqTime}, {@code maxRspTime}, {@code jdk.httpserver.maxConnections}), set here
 * unless given on the command line; they apply to the whole JVM, which serves nothing else over HTTP.
 */
public final class MonitoringEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MonitoringEndpoint.class);
    static final int MAX_REQUEST_SECONDS = 3;
    static final int MAX_RESPONSE_SECONDS = 10;
    static final int MAX_CONNECTIONS = 32;
    static final int WORKERS = 4;

    static {
        // Read once, when the JDK's server classes initialise: set before the first server is created.
        System.setProperty("sun.net.httpserver.maxReqTime",
                System.getProperty("sun.net.httpserver.maxReqTime", String.valueOf(MAX_REQUEST_SECONDS)));
        System.setProperty("sun.net.httpserver.maxRspTime",
                System.getProperty("sun.net.httpserver.maxRspTime", String.valueOf(MAX_RESPONSE_SECONDS)));
        System.setProperty("jdk.httpserver.maxConnections",
                System.getProperty("jdk.httpserver.maxConnections", String.valueOf(MAX_CONNECTIONS)));
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private MonitoringEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Serves {@code registry} and {@code health} on {@code host:port}; {@code beforeScrape} refreshes meters whose
     * set changes (one per stream). Fails with a message naming the address when it is taken.
     */
    public static MonitoringEndpoint start(String host, int port, PrometheusMeterRegistry registry,
                                           Runnable beforeScrape, Supplier<Health> health) throws IOException {
        return start(host, port, registry, beforeScrape, health, Optional.empty(), InetAddress::isLoopbackAddress);
    }

    /**
     * As above; with a {@code bearerToken}, a request from an address that is not {@code trusted} (by default: not
     * loopback, so not from this device) must carry {@code Authorization: Bearer <token>} or gets 401.
     */
    public static MonitoringEndpoint start(String host, int port, PrometheusMeterRegistry registry,
                                           Runnable beforeScrape, Supplier<Health> health,
                                           Optional<String> bearerToken, Predicate<InetAddress> trusted)
            throws IOException {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, port), 16);
        } catch (BindException e) {
            throw new IOException("monitoring endpoint " + host + ":" + port + " could not be opened: "
                    + e.getMessage() + " (is another service on that port? see monitoring: in the device YAML)", e);
        }
        ExecutorService executor = Executors.newFixedThreadPool(WORKERS,
                Thread.ofPlatform().name("monitoring-http-", 0).daemon().factory());
        server.setExecutor(executor);
        BearerCheck bearer = new BearerCheck(bearerToken, trusted);
        server.createContext("/metrics", exchange -> {
            if (bearer.allows(exchange) && isGet(exchange)) {
                beforeScrape.run();
                respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
            }
        });
        server.createContext("/health", exchange -> {
            if (bearer.allows(exchange) && isGet(exchange)) {
                Health answer = health.get();
                respond(exchange, answer.passing() ? 200 : 503, "application/json", answer.toJson() + "\n");
            }
        });
        server.createContext("/", exchange -> {
            if (bearer.allows(exchange) && isGet(exchange)) {
                respond(exchange, exchange.getRequestURI().getPath().equals("/") ? 200 : 404, "text/plain",
                        "GET /metrics (Prometheus) or /health\n");
            }
        });
        server.start();
        LOG.info("metrics on http://{}:{}/metrics, health on /health", host, server.getAddress().getPort());
        return new MonitoringEndpoint(server, executor);
    }

    /** The optional bearer token check; requests from trusted addresses pass without one. */
    private record BearerCheck(Optional<String> token, Predicate<InetAddress> trusted) {
        boolean allows(HttpExchange exchange) throws IOException {
            if (token.isEmpty() || trusted.test(exchange.getRemoteAddress().getAddress())) {
                return true;
            }
            String header = exchange.getRequestHeaders().getFirst("Authorization");
            byte[] offered = (header == null ? "" : header).getBytes(StandardCharsets.UTF_8);
            byte[] expected = ("Bearer " + token.get()).getBytes(StandardCharsets.UTF_8);
            if (MessageDigest.isEqual(offered, expected)) {
                return true;
            }
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"edgeline\"");
            respond(exchange, 401, "text/plain", "a bearer token is required (monitoring.bearer-token-file)\n");
            return false;
        }
    }

    private static boolean isGet(HttpExchange exchange) throws IOException {
        if (exchange.getRequestMethod().equals("GET") || exchange.getRequestMethod().equals("HEAD")) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(exchange, 405, "text/plain", "only GET\n");
        return false;
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (!head) {
                out.write(bytes);
            }
        }
    }

    /** The port it listens on (the one asked for, or the one the system picked for port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
