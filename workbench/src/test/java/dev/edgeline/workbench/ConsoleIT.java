package dev.edgeline.workbench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgeline.appliance.Awaits;
import dev.edgeline.appliance.TestDevice;
import dev.edgeline.workbench.console.Console;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The live console in a real browser (Debian's Chromium through Selenium and chromedriver) against the demo: its
 * embedded Kafka fed by the broker, bridge and simulated agent. The page shows the demo device and its streams with
 * their last value, a rate, a chart that grows, and, for a stream with a hole no gap marker explains, the unexplained
 * records in red.
 */
@Timeout(300)
class ConsoleIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @Test
    void theConsoleShowsTheDemoFleetLive_andFlagsAnUnexplainedHole(@TempDir Path dir) throws Exception {
        assertThat(CHROMIUM).as("Debian's chromium (bin/test installs it)").isExecutable();
        assertThat(CHROMEDRIVER).as("Debian's chromium-driver (bin/test installs it)").isExecutable();
        int kafkaPort = TestDevice.freePort();
        Path config = dir.resolve("demo.yaml");
        Files.writeString(config, Files.readString(Path.of("..", "config", "demo.yaml"))
                .replace("127.0.0.1:19092", "127.0.0.1:" + kafkaPort)
                .replace("port: 18830", "port: " + TestDevice.freePort()));
        AtomicInteger demoStatus = new AtomicInteger(-1);
        ByteArrayOutputStream demoOut = new ByteArrayOutputStream();
        Thread demo = Thread.ofPlatform().name("demo").start(() -> demoStatus.set(WorkbenchMain.run(List.of("demo",
                "--duration", "45s", "--config", config.toString(), "--data-dir", dir.resolve("demo").toString()),
                new PrintStream(demoOut, true, StandardCharsets.UTF_8), System.err)));
        Awaits.until(Duration.ofSeconds(60), () -> TestDevice.listening(kafkaPort), "the demo's Kafka");
        String bootstrap = "127.0.0.1:" + kafkaPort;
        produceAStreamWithAHole(bootstrap);
        produceADesiredStateAndItsRejection(bootstrap);

        try (Console console = Console.start(bootstrap, List.of(), "edge.gaps", "127.0.0.1", 0)) {
            WebDriver browser = chromium();
            try {
                browser.get("http://127.0.0.1:" + console.port() + "/");
                assertThat(browser.getTitle()).isEqualTo("edgeline console");
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60), Duration.ofMillis(200));
                WebElement temperature = wait.until(b -> row(b, "demo-pi-0001/temperature"));
                wait.until(b -> row(b, "demo-pi-0001/humidity") != null && row(b, "demo-pi-0001/door") != null);
                assertThat(browser.findElement(By.cssSelector("section[data-device='demo-pi-0001'] h2")).getText())
                        .isEqualTo("demo-pi-0001");

                wait.until(b -> cell(b, "demo-pi-0001/temperature", "value").matches("-?\\d+(\\.\\d+)?"));
                double value = Double.parseDouble(cell(browser, "demo-pi-0001/temperature", "value"));
                assertThat(value).as("the simulated temperature: 21.5 ± 1.5 °C").isBetween(19.0, 24.0);
                wait.until(b -> Double.parseDouble(cell(b, "demo-pi-0001/temperature", "rate")) > 5);
                int pointsBefore = chartPoints(browser, "demo-pi-0001/temperature");
                long recordsBefore = Long.parseLong(cell(browser, "demo-pi-0001/temperature", "records"));
                wait.until(b -> Long.parseLong(cell(b, "demo-pi-0001/temperature", "records")) > recordsBefore + 20);
                assertThat(chartPoints(browser, "demo-pi-0001/temperature")).as("the chart follows the stream")
                        .isGreaterThan(Math.max(1, pointsBefore));
                assertThat(temperature.findElement(By.cssSelector("polyline")).getAttribute("points")).isNotBlank();
                assertThat(cell(browser, "demo-pi-0001/temperature", "unexplained")).isEqualTo("0");
                assertThat(cell(browser, "demo-pi-0001/temperature", "duplicates")).isEqualTo("0");

                wait.until(b -> row(b, "intruder-pi/t") != null);
                WebElement hole = row(browser, "intruder-pi/t").findElement(By.cssSelector("td.unexplained"));
                wait.until(b -> hole.getText().equals("3"));
                assertThat(hole.getAttribute("class")).contains("bad");
                assertThat(hole.getAttribute("title")).isEqualTo("seq 2..4");
                // Desired state against reported: the device rejected what was desired, and the page says why.
                WebElement desired = wait.until(b -> b.findElements(By.cssSelector("tr[data-device='pi-cmd']"))
                        .stream().findFirst().orElse(null));
                wait.until(b -> desired.findElement(By.cssSelector("td.verdict")).getText().equals("rejected"));
                assertThat(desired.findElement(By.cssSelector("td.verdict")).getAttribute("class")).contains("bad");
                assertThat(desired.findElement(By.cssSelector("td.detail")).getText())
                        .isEqualTo("desired state not applied: sensor/env: no such sensor or output");
                assertThat(desired.findElement(By.cssSelector("td.desired")).getText())
                        .isEqualTo("{\"sensor/env\":{\"period\":\"5s\"}} (up to offset 0)");
                assertThat(browser.findElement(By.id("topics")).getText()).contains("edge.readings")
                        .as("internal topics are not data topics").doesNotContain("edge.bridge.checkpoints")
                        .doesNotContain("__consumer_offsets").doesNotContain("__transaction_state");
                // What the analyst saw, kept beside the test reports.
                Files.copy(((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(
                        org.openqa.selenium.OutputType.FILE).toPath(), Path.of("target", "console-it.png"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } finally {
                browser.quit();
            }
        }
        demo.join(Duration.ofSeconds(150));
        assertThat(demoStatus.get()).as(demoOut.toString(StandardCharsets.UTF_8)).isZero();
    }

    /** Records of a stream published by someone else straight into Kafka, with seq 2..4 missing and no marker. */
    private static void produceAStreamWithAHole(String bootstrap) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (long seq : new long[] {0, 1, 5, 6}) {
                ProducerRecord<byte[], byte[]> record = new ProducerRecord<>("edge.readings",
                        "intruder-pi/t".getBytes(StandardCharsets.UTF_8),
                        ("{\"value\":" + seq + "}").getBytes(StandardCharsets.UTF_8));
                record.headers().add("device", "intruder-pi".getBytes(StandardCharsets.UTF_8))
                        .add("stream", "t".getBytes(StandardCharsets.UTF_8))
                        .add("boot", "1".getBytes(StandardCharsets.UTF_8))
                        .add("seq", Long.toString(seq).getBytes(StandardCharsets.UTF_8));
                producer.send(record).get();
            }
        }
    }

    /** A device's desired state (one record) and the device's rejection of it, as its command bridge writes it. */
    private static void produceADesiredStateAndItsRejection(String bootstrap) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.<String, Object>of("bootstrap.servers",
                bootstrap))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("edge.desired.pi-cmd", 1, (short) 1),
                    new org.apache.kafka.clients.admin.NewTopic("edge.command-results", 1, (short) 1))).all().get();
        }
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("edge.desired.pi-cmd", "sensor/env".getBytes(StandardCharsets.UTF_8),
                    "{\"period\":\"5s\"}".getBytes(StandardCharsets.UTF_8))).get();
            ProducerRecord<byte[], byte[]> result = new ProducerRecord<>("edge.command-results",
                    "pi-cmd".getBytes(StandardCharsets.UTF_8), ("{\"device\":\"pi-cmd\",\"command_id\":\"desired-0\","
                    + "\"target\":\"agent\",\"state\":\"rejected\",\"reason\":\"desired state not applied: "
                    + "sensor/env: no such sensor or output\",\"at\":\"2026-12-05T10:00:00Z\"}")
                    .getBytes(StandardCharsets.UTF_8));
            result.headers().add("command_id", "desired-0".getBytes(StandardCharsets.UTF_8))
                    .add("state", "rejected".getBytes(StandardCharsets.UTF_8));
            producer.send(result).get();
        }
    }

    private static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // As root on a closed network: no sandbox, no GPU, and none of Chromium's own calls out.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static WebElement row(WebDriver browser, String stream) {
        List<WebElement> rows = browser.findElements(By.cssSelector("tr.stream"));
        for (WebElement row : rows) {
            if (stream.equals(row.getAttribute("data-stream"))) {
                return row;
            }
        }
        return null;
    }

    private static String cell(WebDriver browser, String stream, String column) {
        WebElement row = row(browser, stream);
        return row == null ? "" : row.findElement(By.cssSelector("td." + column)).getText();
    }

    private static int chartPoints(WebDriver browser, String stream) {
        String points = row(browser, stream).findElement(By.cssSelector("svg.chart")).getAttribute("data-points");
        return points == null ? 0 : Integer.parseInt(points);
    }
}
