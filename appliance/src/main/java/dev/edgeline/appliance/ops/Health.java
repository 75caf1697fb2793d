package dev.edgeline.appliance.ops;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
        ObjectNode json = JsonNodeFactory.instance.objectNode().put("service", service)
                .put("status", passing() ? "pass" : "fail");
        problems.forEach(json.putArray("problems")::add);
        return json.put("detail", detail).toString();
    }
}
