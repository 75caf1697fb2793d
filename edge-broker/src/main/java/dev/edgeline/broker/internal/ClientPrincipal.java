package dev.edgeline.broker.internal;

import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import dev.edgeline.config.BrokerConfig.IdentityTrust;
import java.util.Optional;

/**
 * Who a connected client is, as the authenticator established it, kept in the connection's attribute store so that
 * every publish of that connection (and no other) is judged by it.
 *
 * @param name     the user name (password clients), the certificate's common name (mTLS clients), or empty for
 *                 anonymous clients (they are then known by their client id)
 * @param identity whether its records' identity user properties are kept
 */
public record ClientPrincipal(Optional<String> name, IdentityTrust identity) {
    private static final String NAME = "edgeline.principal";
    private static final String IDENTITY = "edgeline.identity";

    public static ClientPrincipal anonymous(IdentityTrust identity) {
        return new ClientPrincipal(Optional.empty(), identity);
    }

    public static ClientPrincipal user(String name, IdentityTrust identity) {
        return new ClientPrincipal(Optional.of(name), identity);
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
    }

    /**
     * The principal stored by the authenticator; a connection without one (which the authenticator never lets
     * through) is treated as anonymous and untrusted.
     */
    static ClientPrincipal of(ConnectionAttributeStore store) {
        Optional<String> identity = store.getAsString(IDENTITY);
        IdentityTrust trust = identity.map(IdentityTrust::valueOf).orElse(IdentityTrust.ASSIGNED);
        return new ClientPrincipal(store.getAsString(NAME), trust);
    }
}
