package dev.edgeline.appliance.ops;

import dev.edgeline.broker.receipts.StreamReceipts;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-stream delivery lag from the receipts: {@code edge_stream_lag_records{device,stream}} (ingested and not yet
 * committed in Kafka, counted by seq), its sum per lane ({@code edge_lane_backlog_records{lane}}) and the total. The stream set changes, so {@link #refresh} runs before each
 * scrape. At most {@link #MAX_SERIES} streams get a series of their own (a gateway with thousands of devices would
 * swamp the scraper); the total always counts all of them.
 */
public final class ReceiptMeters {
    static final int MAX_SERIES = 500;
    private final StreamReceipts receipts;
    private final MultiGauge lag;
    private final MultiGauge ingestAge;
    private final MultiGauge laneBacklog;
    private volatile long totalLag;
    private volatile int streams;

    private ReceiptMeters(MeterRegistry registry, StreamReceipts receipts) {
        this.receipts = receipts;
        this.lag = MultiGauge.builder("edge.stream.lag").baseUnit("records")
                .description("records of the stream ingested and not yet committed in Kafka").register(registry);
        this.ingestAge = MultiGauge.builder("edge.stream.last.ingest.age").baseUnit("seconds")
                .description("time since the stream's last record was ingested").register(registry);
        this.laneBacklog = MultiGauge.builder("edge.lane.backlog.records").description(
                "records of the lane's streams ingested and not yet committed in Kafka (receipts, counted by seq)")
                .register(registry);
        Gauge.builder("edge.streams.lag", this, m -> m.totalLag).baseUnit("records")
                .description("records of all streams ingested and not yet committed in Kafka").strongReference(true).register(registry);
        Gauge.builder("edge.streams", this, m -> m.streams).description("streams with receipts").strongReference(true).register(registry);
    }

    public static ReceiptMeters bind(MeterRegistry registry, StreamReceipts receipts) {
        ReceiptMeters meters = new ReceiptMeters(registry, receipts);
        meters.refresh();
        return meters;
    }

    /** Re-reads the receipts into the per-stream series. Thread of the scrape. */
    public void refresh() {
        List<StreamReceipts.Receipt> all = receipts.snapshot();
        long now = System.currentTimeMillis();
        long total = 0;
        java.util.Map<String, Long> perLane = new java.util.TreeMap<>();
        List<MultiGauge.Row<?>> lagRows = new ArrayList<>();
        List<MultiGauge.Row<?>> ageRows = new ArrayList<>();
        for (StreamReceipts.Receipt receipt : all) {
            total += receipt.lagRecords();
            if (!receipt.lane().isEmpty()) {
                perLane.merge(receipt.lane(), receipt.lagRecords(), Long::sum);
            }
            if (lagRows.size() < MAX_SERIES) {
                Tags tags = Tags.of("device", receipt.device(), "stream", receipt.stream());
                lagRows.add(MultiGauge.Row.of(tags, receipt.lagRecords()));
                if (receipt.ingestedAtMillis() > 0) {
                    ageRows.add(MultiGauge.Row.of(tags, (now - receipt.ingestedAtMillis()) / 1000.0));
                }
            }
        }
        totalLag = total;
        streams = all.size();
        lag.register(lagRows, true);
        List<MultiGauge.Row<?>> laneRows = new ArrayList<>();
        perLane.forEach((lane, records) -> laneRows.add(MultiGauge.Row.of(Tags.of("lane", lane), records)));
        laneBacklog.register(laneRows, true);
        ingestAge.register(ageRows, true);
    }
}
