package dev.edgeline.broker.security;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal MQTT 3.1.1 client over a raw socket, for what real clients do not let a test do on purpose: resend a
 * publish with the DUP flag and the same packet id, stop after PUBREC, or drop the connection before the PUBACK.
 * Packets are encoded by hand as in the MQTT 3.1.1 specification (sections 2 and 3).
 */
public final class RawMqtt311Client implements AutoCloseable {
    public static final int CONNACK = 2;
    public static final int PUBACK = 4;
    public static final int PUBREC = 5;
    public static final int PUBCOMP = 7;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** A packet read back: its type (high nibble of the first byte) and its body after the remaining length. */
    public record Packet(int type, byte[] body) {
        public int packetId() {
            return ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
        }
    }

    private RawMqtt311Client(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects and returns the client; {@link #connackCode} tells whether the broker accepted. */
    public static RawMqtt311Client connect(int port, String clientId, String user, String password,
                                           boolean cleanSession) throws IOException {
        RawMqtt311Client client = new RawMqtt311Client(new Socket(InetAddress.getLoopbackAddress(), port));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, "MQTT");
        body.write(4); // protocol level 3.1.1
        int flags = (cleanSession ? 0x02 : 0) | (user != null ? 0x80 : 0) | (password != null ? 0x40 : 0);
        body.write(flags);
        body.write(0);
        body.write(60); // keep alive
        writeString(body, clientId);
        if (user != null) {
            writeString(body, user);
        }
        if (password != null) {
            writeString(body, password);
        }
        client.send(0x10, body.toByteArray());
        return client;
    }

    /** The CONNACK return code (0 = accepted). */
    public int connackCode() throws IOException {
        Packet packet = read();
        if (packet.type() != CONNACK) {
            throw new IOException("expected CONNACK, got packet type " + packet.type());
        }
        return packet.body()[1] & 0xFF;
    }

    public void publish(String topic, byte[] payload, int qos, int packetId, boolean dup) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        writeString(body, topic);
        if (qos > 0) {
            body.write(packetId >> 8);
            body.write(packetId & 0xFF);
        }
        body.write(payload);
        send(0x30 | (dup ? 0x08 : 0) | (qos << 1), body.toByteArray());
    }

    /** SUBSCRIBE to one filter at {@code qos}. */
    public void subscribe(String filter, int qos, int packetId) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(packetId >> 8);
        body.write(packetId & 0xFF);
        writeString(body, filter);
        body.write(qos);
        send(0x82, body.toByteArray());
    }

    public void pubrel(int packetId) throws IOException {
        send(0x62, new byte[] {(byte) (packetId >> 8), (byte) packetId});
    }

    public Packet read() throws IOException {
        int header = in.readUnsignedByte();
        int length = 0;
        int multiplier = 1;
        int digit;
        do {
            digit = in.readUnsignedByte();
            length += (digit & 0x7F) * multiplier;
            multiplier *= 128;
        } while ((digit & 0x80) != 0);
        byte[] body = new byte[length];
        in.readFully(body);
        return new Packet(header >> 4, body);
    }

    /** Reads until a packet of {@code type} arrives (skipping others, such as PUBLISH to a subscriber). */
    public Packet await(int type) throws IOException {
        while (true) {
            Packet packet = read();
            if (packet.type() == type) {
                return packet;
            }
        }
    }

    private void send(int header, byte[] body) throws IOException {
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(header);
        int length = body.length;
        do {
            int digit = length % 128;
            length /= 128;
            packet.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        packet.write(body);
        out.write(packet.toByteArray());
        out.flush();
    }

    private static void writeString(ByteArrayOutputStream out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.write(bytes.length >> 8);
        out.write(bytes.length & 0xFF);
        out.writeBytes(bytes);
    }

    /** Drops the connection without DISCONNECT (as a device losing power or Wi-Fi). */
    @Override
    public void close() throws IOException {
        socket.close();
    }
}
