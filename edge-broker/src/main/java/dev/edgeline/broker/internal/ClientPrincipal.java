package dev.edgeline.broker.internal;

import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import dev.edgeline.config.BrokerConfig.IdentityTrust;
import dev.edgeline.config.TopicFilter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who a connected client is, as the authenticator established it, kept in the connection's attribute store so that
 * every publish of that connection (and no other) is judged by it.
 *
 * @param name     the user name (password clients), the certificate's common name (mTLS clients), or empty for
 *                 anonymous clients (they are then known by their client id)
 * @param identity whether its records' identity user properties are kept
 * @param publish  the topic filters it may publish to (placeholders expanded); empty: any topic (anonymous clients
 *                 of a listener that allows them)
 */
public record ClientPrincipal(Optional<String> name, IdentityTrust identity, Optional<List<TopicFilter>> publish) {
    private static final String NAME = "edgeline.principal";
    private static final String IDENTITY = "edgeline.identity";
    private static final String PUBLISH = "edgeline.publish";
    /** Parsed filter lists by their stored text: a handful of distinct users, parsed once each. */
    private static final Map<String, List<TopicFilter>> PARSED = new ConcurrentHashMap<>();

    public static ClientPrincipal anonymous(IdentityTrust identity) {
        return new ClientPrincipal(Optional.empty(), identity, Optional.empty());
    }

    public static ClientPrincipal user(String name, IdentityTrust identity, List<String> publishFilters) {
        return new ClientPrincipal(Optional.of(name), identity, Optional.of(parse(String.join("\n", publishFilters))));
    }

    /** Whether it may publish to {@code topic}. */
    public boolean mayPublish(String topic) {
        return publish.isEmpty() || publish.get().stream().anyMatch(f -> f.matches(topic));
    }

    private static List<TopicFilter> parse(String joined) {
        return PARSED.computeIfAbsent(joined, text -> text.isEmpty() ? List.of()
                : Arrays.stream(text.split("\n")).map(TopicFilter::parse).toList());
    }

    public boolean trusted() {
        return identity == IdentityTrust.TRUSTED;
    }

    /** The name a third-party device's records carry: its user, or its client id when it is anonymous. */
    public String sourceName(String clientId) {
        return name.orElse(clientId);
    }

    void storeIn(ConnectionAttributeStore store) {
        name.ifPresent(n -> store.putAsString(NAME, n));
        store.putAsString(IDENTITY, identity.name());
        publish.ifPresent(filters -> store.putAsString(PUBLISH,
                String.join("\n", filters.stream().map(TopicFilter::toString).toList())));
    }

    /**
     * The principal stored by the authenticator; a connection without one (which the authenticator never lets
     * through) is treated as anonymous and untrusted.
     */
    static ClientPrincipal of(ConnectionAttributeStore store) {
        Optional<String> identity = store.getAsString(IDENTITY);
        IdentityTrust trust = identity.map(IdentityTrust::valueOf).orElse(IdentityTrust.ASSIGNED);
        Optional<String> name = store.getAsString(NAME);
        Optional<List<TopicFilter>> publish = store.getAsString(PUBLISH).map(ClientPrincipal::parse);
        if (name.isPresent() && publish.isEmpty()) {
            publish = Optional.of(List.of());
        }
        return new ClientPrincipal(name, trust, publish);
    }
}
