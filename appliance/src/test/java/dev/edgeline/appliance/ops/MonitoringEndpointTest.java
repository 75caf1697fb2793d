package dev.edgeline.appliance.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The JDK-server endpoint with a bearer token: another host needs it, the device itself does not. */
@Timeout(60)
class MonitoringEndpointTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void withABearerToken_anotherHostNeedsIt_andGets401WithoutIt() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Every address counts as another host here: the tests may only use loopback.
        try (MonitoringEndpoint endpoint = MonitoringEndpoint.start("127.0.0.1", 0, registry, () -> { },
                () -> new Health("edge-broker", List.of(), "ok"), Optional.of("s3cret-token"), address -> false)) {
            int port = endpoint.port();
            assertThat(get(port, "/health", null).statusCode()).isEqualTo(401);
            HttpResponse<String> wrong = get(port, "/metrics", "Bearer guess");
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"edgeline\"");
            assertThat(get(port, "/health", "Bearer s3cret-token").statusCode()).isEqualTo(200);
            assertThat(get(port, "/metrics", "Bearer s3cret-token").statusCode()).isEqualTo(200);
        }
        try (MonitoringEndpoint endpoint = MonitoringEndpoint.start("127.0.0.1", 0, registry, () -> { },
                () -> new Health("edge-broker", List.of(), "ok"), Optional.of("s3cret-token"),
                java.net.InetAddress::isLoopbackAddress)) {
            assertThat(get(endpoint.port(), "/health", null).statusCode()).as("the device's own request")
                    .isEqualTo(200);
        }
        registry.close();
    }

    private static HttpResponse<String> get(int port, String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
