package io.pgvault.testkit.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway key pair and self-signed certificate for {@code localhost} (SAN {@code DNS:localhost},
 * {@code IP:127.0.0.1}), made by the JDK's {@code keytool}: a PKCS12 keystore for the server (0600) and the
 * certificate as PEM for clients (0644 in a 0755 directory, so that pgBackRest running as {@code postgres} can read
 * it).
 */
final class SelfSignedCertificate {
    static final String ALIAS = "s3proxy";
    private static final String PASSWORD_VARIABLE = "PGVAULT_TESTKIT_KEYSTORE_PASSWORD";

    private final Path keyStore;
    private final String password;
    private final Path pem;
    private final X509Certificate certificate;

    private SelfSignedCertificate(Path keyStore, String password, Path pem, X509Certificate certificate) {
        this.keyStore = keyStore;
        this.password = password;
        this.pem = pem;
        this.certificate = certificate;
    }

    /**
     * @param directory an existing directory to write {@code keystore.p12} and {@code ca.pem} into
     * @return the generated certificate
     * @throws IOException when keytool fails or the files cannot be written
     */
    static SelfSignedCertificate generate(Path directory) throws IOException {
        Path keyStore = directory.resolve("keystore.p12");
        // the keystore only guards a throwaway loopback certificate; a fresh random password keeps it honest anyway
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        String password = HexFormat.of().formatHex(random);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        ProcessBuilder builder = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-noprompt",
                "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048", "-validity", "7",
                "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass:env", PASSWORD_VARIABLE, "-keypass:env", PASSWORD_VARIABLE,
                "-dname", "CN=localhost", "-ext", "SAN=DNS:localhost,IP:127.0.0.1"))
                .redirectErrorStream(true);
        builder.environment().put(PASSWORD_VARIABLE, password);
        run(builder);
        Files.setPosixFilePermissions(keyStore, PosixFilePermissions.fromString("rw-------"));

        X509Certificate certificate = load(keyStore, password);
        Path pem = directory.resolve("ca.pem");
        Files.writeString(pem, toPem(certificate), StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(pem, PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
        return new SelfSignedCertificate(keyStore, password, pem, certificate);
    }

    Path keyStore() {
        return keyStore;
    }

    String password() {
        return password;
    }

    Path pem() {
        return pem;
    }

    X509Certificate certificate() {
        return certificate;
    }

    /** @return a TLS context trusting only this certificate, for HTTP clients in tests */
    javax.net.ssl.SSLContext sslContext() {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry(ALIAS, certificate);
            javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory
                    .getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a TLS context trusting the test certificate: " + e, e);
        }
    }

    private static void run(ProcessBuilder builder) throws IOException {
        Process process = builder.start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (InputStream in = process.getInputStream()) {
            in.transferTo(output);
        }
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("keytool did not finish within 60 s");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while keytool generated a key pair", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("keytool -genkeypair failed with exit code " + process.exitValue() + ": "
                    + output.toString(StandardCharsets.UTF_8).strip());
        }
    }

    private static X509Certificate load(Path keyStore, String password) throws IOException {
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            return (X509Certificate) store.getCertificate(ALIAS);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the generated keystore " + keyStore + ": " + e, e);
        }
    }

    private static String toPem(X509Certificate certificate) throws IOException {
        try {
            String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(certificate.getEncoded());
            return "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n";
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot encode the generated certificate: " + e, e);
        }
    }
}
