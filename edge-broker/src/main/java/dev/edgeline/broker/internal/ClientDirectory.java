package dev.edgeline.broker.internal;

import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import dev.edgeline.config.BrokerConfig;
import dev.edgeline.config.BrokerConfig.ClientAcl;
import dev.edgeline.config.BrokerConfig.IdentityTrust;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every user the broker knows, resolved once from the configuration: its ACL entry with {@code {user}} and
 * {@code {device}} expanded and its publish filters parsed. The agent's user ({@code agent.username}) gets an
 * implicit entry (publish {@code edge/<device>/+}, trusted) unless {@code broker.auth.clients} names it.
 *
 * <p>A connection carries only who it is (the user's name, or an anonymous client's trust) in HiveMQ's attribute
 * store; {@link #principalOf} turns that back into the principal on every publish with one map lookup. Immutable
 * and thread-safe.
 */
public final class ClientDirectory {
    private static final String NAME = "edgeline.principal";
    private static final String ANONYMOUS_TRUST = "edgeline.anonymous-trust";

    /** A known user: who it is for its publishes, and what it may subscribe to. */
    public record Entry(ClientPrincipal principal, List<String> subscribe) {}

    private final Map<String, Entry> users;

    public ClientDirectory(BrokerConfig config, String device, Optional<String> agentUser) {
        Map<String, Entry> entries = new HashMap<>();
        agentUser.filter(u -> !u.isEmpty()).ifPresent(u -> entries.put(u, entry(new ClientAcl(u,
                List.of("edge/{device}/+"), List.of(), IdentityTrust.TRUSTED), device)));
        config.auth().ifPresent(auth -> auth.clients().forEach(acl -> entries.put(acl.user(), entry(acl, device))));
        this.users = Map.copyOf(entries);
    }

    private static Entry entry(ClientAcl acl, String device) {
        return new Entry(ClientPrincipal.user(acl.user(), acl.identity(), expand(acl.publish(), acl.user(), device)),
                expand(acl.subscribe(), acl.user(), device));
    }

    private static List<String> expand(List<String> filters, String user, String device) {
        return filters.stream().map(f -> f.replace("{user}", user).replace("{device}", device)).toList();
    }

    /** The entry of {@code user}, or empty when it has none (it may not connect). */
    public Optional<Entry> user(String user) {
        return Optional.ofNullable(users.get(user));
    }

    /** Marks the connection as {@code user}'s (who must have an entry). */
    void storeUser(ConnectionAttributeStore store, String user) {
        store.putAsString(NAME, user);
    }

    /** Marks the connection as an anonymous client's, with the trust its listener gives it. */
    void storeAnonymous(ConnectionAttributeStore store, IdentityTrust trust) {
        store.putAsString(ANONYMOUS_TRUST, trust.name());
    }

    /**
     * The principal of a connection. A connection marked by neither store method (which the authenticator never
     * lets through), or a user that has no entry, may publish nothing and names no identity.
     */
    public ClientPrincipal principalOf(ConnectionAttributeStore store) {
        Optional<String> user = store.getAsString(NAME);
        if (user.isPresent()) {
            Entry entry = users.get(user.get());
            return entry != null ? entry.principal()
                    : ClientPrincipal.user(user.get(), IdentityTrust.ASSIGNED, List.of());
        }
        return store.getAsString(ANONYMOUS_TRUST).map(t -> ClientPrincipal.anonymous(IdentityTrust.valueOf(t)))
                .orElse(ClientPrincipal.user("", IdentityTrust.ASSIGNED, List.of()));
    }
}
