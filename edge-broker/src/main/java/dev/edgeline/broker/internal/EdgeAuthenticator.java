package dev.edgeline.broker.internal;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.async.TimeoutFallback;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.client.parameter.TlsInformation;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.packets.connect.WillPublishPacket;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import dev.edgeline.config.BrokerConfig;
import dev.edgeline.config.BrokerConfig.IdentityTrust;
import dev.edgeline.config.PasswordFile;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides who may connect and what each client may do.
 *
 * <ul>
 *   <li>On a listener with a client CA (mTLS), HiveMQ has already checked the certificate chain; the client is the
 *       certificate's common name. A user name that differs from it is refused.</li>
 *   <li>Otherwise, with a password file, a user name and password are required and checked against it
 *       (PBKDF2-HMAC-SHA512, on HiveMQ's extension executor, never on a network thread). A verified password is
 *       remembered as a salted SHA-256 in memory, so that reconnects do not pay the slow hash again.</li>
 *   <li>Without either, the client is anonymous: allowed on a loopback listener (only this device's processes reach
 *       it; they may name their records' identity) and on a listener marked {@code insecure} (identity assigned).
 *       The config loader refuses any other anonymous listener, so that case is refused here too.</li>
 * </ul>
 *
 * An authenticated client needs an entry in the {@link ClientDirectory} ({@code broker.auth.clients}; the agent's
 * user has an implicit one): its subscribe filters become HiveMQ topic permissions with default DENY (SUBACK 0x87
 * for anything else); the connection is marked with its user, whose publish filters the publish interceptor checks
 * before anything is spooled (PUBACK 0x87 for MQTT 5; MQTT 3 clients are disconnected). Passwords and hashes are never
 * logged. Thread-safe.
 */
public final class EdgeAuthenticator implements SimpleAuthenticator {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Logger LOG = LoggerFactory.getLogger(EdgeAuthenticator.class);
    private static final Duration VERIFY_TIMEOUT = Duration.ofSeconds(20);

    private final Map<String, BrokerConfig.Listener> listenersByName;
    private final Optional<PasswordFile> passwords;
    private final ClientDirectory clients;
    private final ExecutorService verifier;
    private final RefusalLog refusals;
    private final byte[] pepper = new byte[32];
    private final Map<String, byte[]> verified = new ConcurrentHashMap<>();

    public EdgeAuthenticator(BrokerConfig config, Optional<PasswordFile> passwords, ClientDirectory clients,
                             ExecutorService verifier, RefusalLog refusals) {
        this.listenersByName = config.listeners().stream()
                .collect(java.util.stream.Collectors.toUnmodifiableMap(BrokerConfig.Listener::name, l -> l));
        this.passwords = passwords;
        this.clients = clients;
        this.verifier = verifier;
        this.refusals = refusals;
        RANDOM.nextBytes(pepper);
    }

    @Override
    public void onConnect(@NotNull SimpleAuthInput input, @NotNull SimpleAuthOutput output) {
        ConnectPacket connect = input.getConnectPacket();
        ConnectionInformation connection = input.getConnectionInformation();
        String clientId = input.getClientInformation().getClientId();
        Optional<BrokerConfig.Listener> listener = connection.getListener()
                .map(l -> listenersByName.get(l.getName()));
        if (listener.isEmpty()) {
            refuse(output, clientId, ConnackReasonCode.NOT_AUTHORIZED, "unknown listener");
            return;
        }
        Optional<String> userName = connect.getUserName();
        if (listener.get().requiresClientCertificate()) {
            Optional<String> commonName = connection.getTlsInformation().map(TlsInformation::getCertificate)
                    .flatMap(EdgeAuthenticator::commonName);
            if (commonName.isEmpty()) {
                refuse(output, clientId, ConnackReasonCode.NOT_AUTHORIZED,
                        "the client certificate has no subject common name to identify the client by");
                return;
            }
            if (userName.isPresent() && !userName.get().equals(commonName.get())) {
                refuse(output, clientId, ConnackReasonCode.NOT_AUTHORIZED, "user name '" + userName.get()
                        + "' is not the certificate's common name '" + commonName.get() + "'");
                return;
            }
            grant(output, connection, clientId, commonName.get(), connect.getWillPublish());
            return;
        }
        if (passwords.isPresent()) {
            Optional<ByteBuffer> password = connect.getPassword();
            if (userName.isEmpty() || password.isEmpty()) {
                refuse(output, clientId, ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD,
                        "this broker requires a user name and password");
                return;
            }
            byte[] secret = bytes(password.get());
            if (isRemembered(userName.get(), secret)) {
                grant(output, connection, clientId, userName.get(), connect.getWillPublish());
                return;
            }
            Async<SimpleAuthOutput> async = output.async(VERIFY_TIMEOUT, TimeoutFallback.FAILURE,
                    ConnackReasonCode.SERVER_BUSY, "password check timed out");
            verifier.execute(() -> {
                try {
                    if (passwords.get().verify(userName.get(), secret)) {
                        remember(userName.get(), secret);
                        grant(output, connection, clientId, userName.get(), connect.getWillPublish());
                    } else {
                        refuse(output, clientId, ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD,
                                "wrong user name or password");
                    }
                } finally {
                    Arrays.fill(secret, (byte) 0);
                    async.resume();
                }
            });
            return;
        }
        if (listener.get().loopback() || listener.get().insecure()) {
            boolean trusted = listener.get().loopback() && !listener.get().insecure();
            if (!trusted && clients.reserved(clientId)) {
                // An anonymous LAN client must not take over (and disconnect) the agent's or a user's session.
                refuse(output, clientId, ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID, "client id '" + clientId
                        + "' is the agent's or a configured user's; anonymous clients may not use it");
                return;
            }
            clients.storeAnonymous(connection.getConnectionAttributeStore(),
                    trusted ? IdentityTrust.TRUSTED : IdentityTrust.ASSIGNED);
            output.authenticateSuccessfully();
            return;
        }
        refuse(output, clientId, ConnackReasonCode.NOT_AUTHORIZED, "anonymous clients are not allowed here");
    }

    private void grant(SimpleAuthOutput output, ConnectionInformation connection, String clientId, String user,
                       Optional<WillPublishPacket> will) {
        Optional<ClientDirectory.Entry> entry = clients.user(user);
        if (entry.isEmpty()) {
            refuse(output, clientId, ConnackReasonCode.NOT_AUTHORIZED,
                    "user '" + user + "' has no entry in broker.auth.clients");
            return;
        }
        Optional<String> idProblem = clients.clientIdProblem(user, clientId);
        if (idProblem.isPresent()) {
            refuse(output, clientId, ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID, idProblem.get());
            return;
        }
        Optional<String> willProblem = will.flatMap(w -> willProblem(entry.get().principal(), w));
        if (willProblem.isPresent()) {
            refuse(output, clientId, ConnackReasonCode.NOT_AUTHORIZED, willProblem.get());
            return;
        }
        List<TopicPermission> permissions = new ArrayList<>();
        // Publishes are judged by the publish interceptor (ClientPrincipal.mayPublish), before anything is spooled,
        // so that an MQTT 5 client gets PUBACK 0x87 (HiveMQ's own check would disconnect it, after the interceptor).
        permissions.add(permission("#", TopicPermission.MqttActivity.PUBLISH));
        for (String filter : entry.get().subscribe()) {
            permissions.add(permission(filter, TopicPermission.MqttActivity.SUBSCRIBE));
        }
        output.getDefaultPermissions().addAll(permissions);
        output.getDefaultPermissions().setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
        clients.storeUser(connection.getConnectionAttributeStore(), user);
        LOG.info("client {} authenticated as {} (identity {})", clientId, user,
                entry.get().principal().identity().name().toLowerCase(java.util.Locale.ROOT));
        output.authenticateSuccessfully();
    }

    /**
     * Why a will may not be accepted, or empty: it is published by the broker when the client vanishes, without
     * passing the publish interceptor, so it must meet the same rules at CONNECT: its topic inside the user's publish
     * ACL, and no record identity user properties unless the user is trusted (a forged identity would reach
     * subscribers of another stream's topic).
     */
    static Optional<String> willProblem(ClientPrincipal principal, WillPublishPacket will) {
        if (!principal.mayPublish(will.getTopic())) {
            return Optional.of("will topic '" + will.getTopic() + "' is outside the user's publish ACL "
                    + "(broker.auth.clients)");
        }
        if (!principal.trusted()) {
            for (var property : will.getUserProperties().asList()) {
                if (IDENTITY_PROPERTIES.contains(property.getName())) {
                    return Optional.of("will carries the identity user property '" + property.getName()
                            + "', which only trusted clients may set");
                }
            }
        }
        return Optional.empty();
    }

    private static final java.util.Set<String> IDENTITY_PROPERTIES = java.util.Set.of(
            dev.edgeline.config.RecordEnvelope.DEVICE, dev.edgeline.config.RecordEnvelope.STREAM,
            dev.edgeline.config.RecordEnvelope.BOOT, dev.edgeline.config.RecordEnvelope.SEQ);

    private static TopicPermission permission(String filter, TopicPermission.MqttActivity activity) {
        return Builders.topicPermission().topicFilter(filter).type(TopicPermission.PermissionType.ALLOW)
                .activity(activity).build();
    }

    private void refuse(SimpleAuthOutput output, String clientId, ConnackReasonCode code, String why) {
        refusals.refused(code.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                "client " + clientId + ": " + why);
        output.failAuthentication(code, why);
    }

    private boolean isRemembered(String user, byte[] secret) {
        byte[] known = verified.get(user);
        return known != null && MessageDigest.isEqual(known, digest(secret));
    }

    private void remember(String user, byte[] secret) {
        verified.put(user, digest(secret));
    }

    private byte[] digest(byte[] secret) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(pepper);
            return sha.digest(secret);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.asReadOnlyBuffer();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    static Optional<String> commonName(java.security.cert.X509Certificate certificate) {
        try {
            for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return Optional.of(rdn.getValue().toString());
                }
            }
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
