package dev.edgeline.broker.internal;

import dev.edgeline.config.BrokerConfig.IdentityTrust;
import dev.edgeline.config.TopicFilter;
import java.util.List;
import java.util.Optional;

/**
 * Who a connected client is, as the authenticator established it (see {@link ClientDirectory}), so that every
 * publish of that connection is judged by it.
 *
 * @param name     the user name (password clients), the certificate's common name (mTLS clients), or empty for
 *                 anonymous clients (they are then known by their client id)
 * @param identity whether its records' identity user properties are kept
 * @param publish  the topic filters it may publish to (placeholders expanded); empty: any topic (anonymous clients
 *                 of a listener that allows them)
 */
public record ClientPrincipal(Optional<String> name, IdentityTrust identity, Optional<List<TopicFilter>> publish) {

    public static ClientPrincipal anonymous(IdentityTrust identity) {
        return new ClientPrincipal(Optional.empty(), identity, Optional.empty());
    }

    /** A user that may publish to {@code publishFilters} (already expanded). */
    public static ClientPrincipal user(String name, IdentityTrust identity, List<String> publishFilters) {
        return new ClientPrincipal(Optional.of(name), identity,
                Optional.of(publishFilters.stream().map(TopicFilter::parse).toList()));
    }

    /** Whether it may publish to {@code topic}. */
    public boolean mayPublish(String topic) {
        if (publish.isEmpty()) {
            return true;
        }
        for (TopicFilter filter : publish.get()) { // every publish asks: no stream per call
            if (filter.matches(topic)) {
                return true;
            }
        }
        return false;
    }

    public boolean trusted() {
        return identity == IdentityTrust.TRUSTED;
    }

    /** The name a third-party device's records carry: its user, or its client id when it is anonymous. */
    public String sourceName(String clientId) {
        return name.orElse(clientId);
    }
}
