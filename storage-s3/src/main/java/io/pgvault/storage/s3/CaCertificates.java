package io.pgvault.storage.s3;

import io.pgvault.api.ConfigurationException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** Reads a PEM file of trusted certificates ({@link S3RepositoryConfig#caFile()}) into trust managers. */
final class CaCertificates {
    private CaCertificates() {
    }

    /**
     * @param pem the file
     * @return what is wrong with it as a CA file, or empty when it holds at least one certificate
     */
    static Optional<String> problem(Path pem) {
        try {
            read(pem);
            return Optional.empty();
        } catch (ConfigurationException e) {
            return Optional.of(String.join("; ", e.problems()));
        }
    }

    /**
     * @param pem the file
     * @return trust managers that trust exactly the certificates in it
     * @throws ConfigurationException when it cannot be read or holds no certificate
     */
    static TrustManager[] trustManagers(Path pem) {
        List<Certificate> certificates = read(pem);
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < certificates.size(); i++) {
                store.setCertificateEntry("ca-" + i, certificates.get(i));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return factory.getTrustManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigurationException("caFile " + pem + ": cannot build a trust store of its certificates: "
                    + e);
        }
    }

    private static List<Certificate> read(Path pem) {
        if (!Files.exists(pem)) {
            throw new ConfigurationException("caFile " + pem + " does not exist");
        }
        if (!Files.isRegularFile(pem)) {
            throw new ConfigurationException("caFile " + pem + " is not a file (it must be a PEM file of CA "
                    + "certificates)");
        }
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> read = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (read.isEmpty()) {
                throw new ConfigurationException("caFile " + pem + " holds no certificate (expected PEM blocks "
                        + "-----BEGIN CERTIFICATE-----)");
            }
            return List.copyOf(read);
        } catch (NoSuchFileException e) {
            throw new ConfigurationException("caFile " + pem + " does not exist");
        } catch (IOException e) {
            throw new ConfigurationException("caFile " + pem + " cannot be read: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new ConfigurationException("caFile " + pem + " is not a PEM file of certificates: "
                    + e.getMessage());
        }
    }
}
