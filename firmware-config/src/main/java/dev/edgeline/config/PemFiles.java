package dev.edgeline.config;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the PEM files a device is given (certificates, PKCS#8 private keys), for the broker's TLS listeners and the
 * bridge's TLS to Kafka. Used by the configuration check, so that a certificate that does not parse, a key that is
 * not the certificate's, or a certificate that has expired stops the check on the device (nothing restarted) rather
 * than the service at its start; and by the broker, which builds its key stores from them. Every problem names the
 * file and says how to fix it.
 */
public final class PemFiles {
    private static final Pattern PEM_KEY = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private PemFiles() {}

    /** The certificates of a PEM file, in file order; at least one. */
    public static List<X509Certificate> certificates(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            Collection<? extends Certificate> read = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes));
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate certificate : read) {
                certificates.add((X509Certificate) certificate);
            }
            if (certificates.isEmpty()) {
                throw new IOException(file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
            }
            return certificates;
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not a PEM certificate file: " + e.getMessage(), e);
        }
    }

    /** The PKCS#8 private key of a PEM file; it must belong to {@code certificate}. */
    public static PrivateKey privateKey(Path file, X509Certificate certificate) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        if (text.contains("ENCRYPTED PRIVATE KEY")) {
            throw new IOException(file + " is an encrypted key; the services need it unencrypted (mode 0640, root:edge):"
                    + " openssl pkcs8 -topk8 -nocrypt -in " + file + " -out unencrypted.key");
        }
        Matcher matcher = PEM_KEY.matcher(text);
        if (!matcher.find()) {
            String hint = text.contains("BEGIN EC PRIVATE KEY") || text.contains("BEGIN RSA PRIVATE KEY")
                    ? " (it is in the older SEC1/PKCS#1 form; convert it: openssl pkcs8 -topk8 -nocrypt -in " + file
                    + " -out pkcs8.key)" : "";
            throw new IOException(file + " holds no PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)" + hint);
        }
        byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
        String algorithm = certificate.getPublicKey().getAlgorithm();
        try {
            PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            if (!matches(key, certificate)) {
                throw new IOException(file + " is not the private key of the certificate "
                        + certificate.getSubjectX500Principal().getName());
            }
            return key;
        } catch (GeneralSecurityException e) {
            throw new IOException(file + " is not a " + algorithm + " private key (the certificate's algorithm): "
                    + e.getMessage(), e);
        }
    }

    /**
     * Fails when the certificate has expired at {@code now}: every client would refuse it. (A certificate not valid
     * yet is let through: a device without a real-time clock may not have the time yet when it is checked.)
     */
    public static void requireNotExpired(Path file, X509Certificate certificate, Instant now) throws IOException {
        Instant notAfter = certificate.getNotAfter().toInstant();
        if (notAfter.isBefore(now)) {
            throw new IOException(file + " holds a certificate (" + certificate.getSubjectX500Principal().getName()
                    + ") that expired on " + notAfter + "; clients refuse it: issue a new one");
        }
    }

    /** Whether {@code key} signs what the certificate's public key verifies. */
    private static boolean matches(PrivateKey key, X509Certificate certificate) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> key.getAlgorithm(); // Ed25519, Ed448
        };
        byte[] probe = "edgeline key check".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(probe);
        return verifier.verify(signature);
    }
}
