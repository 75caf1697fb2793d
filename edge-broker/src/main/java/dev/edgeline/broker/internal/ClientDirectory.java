package dev.edgeline.broker.internal;

import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import dev.edgeline.config.AgentConfig;
import dev.edgeline.config.BrokerConfig;
import dev.edgeline.config.BrokerConfig.ClientAcl;
import dev.edgeline.config.BrokerConfig.IdentityTrust;
import dev.edgeline.config.CommandsConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every user the broker knows, resolved once from the configuration: its ACL entry with {@code {user}} and
 * {@code {device}} expanded and its publish filters parsed. The agent's user ({@code agent.username}) gets an
 * implicit entry (publish {@code edge/<device>/+}, trusted, client ids {@code edge-agent-<device>} and the default
 * ones) unless {@code broker.auth.clients} names it (its entry then keeps {@code edge-agent-<device>} besides its own);
 * either way it may answer its own commands (subscribe {@code edge/<device>/commands/agent}, publish its
 * {@code /response}, client id {@code edge-agent-<device>-commands}). The command bridge's user
 * ({@code kafka.commands.mqtt-username}) may publish the device's commands ({@code edge/<device>/commands/+}) and
 * subscribe to their responses, as client {@code edge-commands-<device>} only.
 *
 * <p>A connection carries only who it is (the user's name, or an anonymous client's trust) in HiveMQ's attribute
 * store; {@link #principalOf} turns that back into the principal on every publish with one map lookup. Immutable
 * and thread-safe.
 */
public final class ClientDirectory {
    private static final String NAME = "edgeline.principal";
    private static final String ANONYMOUS_TRUST = "edgeline.anonymous-trust";

    /**
     * A known user: who it is for its publishes, what it may subscribe to, and the client ids it may use (exact, or
     * a prefix ending in {@code *}; expanded).
     */
    public record Entry(ClientPrincipal principal, List<String> subscribe, List<String> clientIds) {}

    private final Map<String, Entry> users;
    private final String agentClientId;

    public ClientDirectory(BrokerConfig config, String device, Optional<String> agentUser) {
        this(config, device, agentUser, Optional.empty());
    }

    public ClientDirectory(BrokerConfig config, String device, Optional<String> agentUser,
                           Optional<String> commandBridgeUser) {
        Map<String, Entry> entries = new HashMap<>();
        commandBridgeUser.filter(u -> !u.isEmpty()).ifPresent(u -> entries.put(u, entry(new ClientAcl(u,
                List.of("edge/{device}/commands/+"), List.of("edge/{device}/commands/+/response"),
                IdentityTrust.TRUSTED, List.of(CommandsConfig.mqttClientIdOf(device))), device)));
        agentUser.filter(u -> !u.isEmpty()).ifPresent(u -> entries.put(u, entry(withAgentClientId(new ClientAcl(u,
                List.of("edge/{device}/+"), List.of(), IdentityTrust.TRUSTED), device), device)));
        config.auth().ifPresent(auth -> auth.clients().forEach(acl -> entries.put(acl.user(),
                entry(agentUser.filter(acl.user()::equals).isPresent() ? withAgentClientId(acl, device) : acl, device))));
        this.users = Map.copyOf(entries);
        this.agentClientId = AgentConfig.clientIdOf(device);
    }

    /** Whether {@code clientId} is the agent's or matches a configured user's client ids (not for anonymous use). */
    public boolean reserved(String clientId) {
        return clientId.equals(agentClientId)
                || users.values().stream().anyMatch(entry -> longestMatch(entry.clientIds(), clientId) >= 0);
    }

    /**
     * The agent's user keeps the agent's own client ids beside its patterns (its readings' client and its command
     * client's), and may answer the agent's own commands.
     */
    private static ClientAcl withAgentClientId(ClientAcl acl, String device) {
        List<String> ids = new java.util.ArrayList<>(acl.clientIds());
        ids.add(AgentConfig.clientIdOf(device));
        ids.add(AgentConfig.clientIdOf(device) + "-commands");
        List<String> publish = new java.util.ArrayList<>(acl.publish());
        publish.add("edge/{device}/commands/agent/response");
        List<String> subscribe = new java.util.ArrayList<>(acl.subscribe());
        subscribe.add("edge/{device}/commands/agent");
        return new ClientAcl(acl.user(), publish, subscribe, acl.identity(), ids);
    }

    private static Entry entry(ClientAcl acl, String device) {
        return new Entry(ClientPrincipal.user(acl.user(), acl.identity(), expand(acl.publish(), acl.user(), device)),
                expand(acl.subscribe(), acl.user(), device), expand(acl.clientIds(), acl.user(), device));
    }

    /**
     * Why {@code user} may not connect with {@code clientId}, or empty when it may: the id must match one of the
     * user's client id patterns, and no other user's pattern may match it with a longer fixed part (that user owns
     * it: user {@code esp32} with {@code esp32-*} may not take {@code esp32-a-1} from user {@code esp32-a}).
     */
    public Optional<String> clientIdProblem(String user, String clientId) {
        Entry entry = users.get(user);
        if (entry == null) {
            return Optional.of("user '" + user + "' has no entry in broker.auth.clients");
        }
        int own = longestMatch(entry.clientIds(), clientId);
        if (own < 0) {
            return Optional.of("client id '" + clientId + "' is not one of user '" + user + "''s (client-ids "
                    + entry.clientIds() + ")");
        }
        for (Map.Entry<String, Entry> other : users.entrySet()) {
            if (!other.getKey().equals(user) && longestMatch(other.getValue().clientIds(), clientId) > own) {
                return Optional.of("client id '" + clientId + "' belongs to another user");
            }
        }
        return Optional.empty();
    }

    /** The length of the fixed part of the longest pattern that matches {@code clientId}; -1 when none does. */
    private static int longestMatch(List<String> patterns, String clientId) {
        int longest = -1;
        for (String pattern : patterns) {
            boolean prefix = pattern.endsWith("*");
            String fixed = prefix ? pattern.substring(0, pattern.length() - 1) : pattern;
            boolean matches = prefix ? clientId.startsWith(fixed) && clientId.length() > fixed.length()
                    : clientId.equals(fixed);
            if (matches) {
                // An exact id outranks any prefix of the same length.
                longest = Math.max(longest, prefix ? 2 * fixed.length() : 2 * fixed.length() + 1);
            }
        }
        return longest;
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
        Optional<String> anonymousTrust = store.getAsString(ANONYMOUS_TRUST);
        return anonymousTrust.isPresent() ? ANONYMOUS.get(IdentityTrust.valueOf(anonymousTrust.get())) : NOBODY;
    }

    /** Anonymous principals, one per trust: every publish of an anonymous client asks for its principal. */
    private static final Map<IdentityTrust, ClientPrincipal> ANONYMOUS = anonymousPrincipals();
    /** A connection neither store method marked: it may publish nothing. */
    private static final ClientPrincipal NOBODY = ClientPrincipal.user("", IdentityTrust.ASSIGNED, List.of());

    private static Map<IdentityTrust, ClientPrincipal> anonymousPrincipals() {
        Map<IdentityTrust, ClientPrincipal> principals = new java.util.EnumMap<>(IdentityTrust.class);
        for (IdentityTrust trust : IdentityTrust.values()) {
            principals.put(trust, ClientPrincipal.anonymous(trust));
        }
        return principals;
    }
}
