package dev.edgeline.appliance.ops;

import dev.edgeline.config.JsonStrings;
import java.util.List;

/**
 * The answer of {@code /health}: passing, or failing with every problem named.
 *
 * @param service  the service answering (edge-broker, edge-bridge)
 * @param problems what is wrong, one sentence each; empty when passing
 * @param detail   what was checked, for the operator reading the answer
 */
public record Health(String service, List<String> problems, String detail) {
    public Health {
        problems = List.copyOf(problems);
    }

    public boolean passing() {
        return problems.isEmpty();
    }

    /** One JSON object: {@code {"service":..,"status":"pass"|"fail","problems":[..],"detail":..}}. */
    public String toJson() {
        StringBuilder json = new StringBuilder("{\"service\":").append(JsonStrings.quote(service))
                .append(",\"status\":\"").append(passing() ? "pass" : "fail").append("\",\"problems\":[");
        for (int i = 0; i < problems.size(); i++) {
            json.append(i == 0 ? "" : ",").append(JsonStrings.quote(problems.get(i)));
        }
        return json.append("],\"detail\":").append(JsonStrings.quote(detail)).append('}').toString();
    }
}
