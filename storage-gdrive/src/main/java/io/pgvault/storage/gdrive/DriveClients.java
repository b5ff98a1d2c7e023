package io.pgvault.storage.gdrive;

import com.google.api.client.http.HttpRequestFactory;
import com.google.api.client.http.HttpRequestInitializer;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.drive.Drive;
import com.google.api.services.drive.DriveScopes;
import com.google.auth.http.HttpCredentialsAdapter;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import com.google.auth.oauth2.UserCredentials;
import io.pgvault.storage.gdrive.GoogleDriveRepositoryException.Reason;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds the Google client objects of a repository: credentials, the Drive client and a raw request factory. */
final class DriveClients {
    final NetHttpTransport transport;
    final GsonFactory json = GsonFactory.getDefaultInstance();
    final Drive drive;
    /** For the resumable upload protocol, spoken directly: same credentials and timeouts as {@link #drive}. */
    final HttpRequestFactory requests;

    DriveClients(GoogleDriveRepositoryConfig config) {
        GoogleCredentials credentials = credentials(config);
        HttpCredentialsAdapter adapter = new HttpCredentialsAdapter(credentials);
        int connect = (int) config.connectTimeout().toMillis();
        int read = (int) config.readTimeout().toMillis();
        HttpRequestInitializer initializer = request -> {
            adapter.initialize(request);
            request.setConnectTimeout(connect);
            request.setReadTimeout(read);
        };
        transport = new NetHttpTransport();
        drive = new Drive.Builder(transport, json, initializer)
                .setRootUrl(config.rootUrl().toString())
                .setApplicationName(config.applicationName())
                .build();
        requests = transport.createRequestFactory(initializer);
    }

    private static GoogleCredentials credentials(GoogleDriveRepositoryConfig config) {
        DriveCredentials credentials = config.credentials();
        if (credentials instanceof DriveCredentials.OAuth oauth) {
            return UserCredentials.newBuilder()
                    .setClientId(oauth.clientId())
                    .setClientSecret(oauth.clientSecret().reveal())
                    .setRefreshToken(oauth.refreshToken().reveal())
                    .setTokenServerUri(oauth.tokenUri())
                    .build();
        }
        DriveCredentials.ServiceAccount account = (DriveCredentials.ServiceAccount) credentials;
        try {
            return ServiceAccountCredentials.fromStream(new ByteArrayInputStream(
                    account.jsonKey().reveal().getBytes(StandardCharsets.UTF_8))).createScoped(List.of(DriveScopes.DRIVE));
        } catch (IOException | RuntimeException e) {
            // the auth library's message may quote the key: say what is wrong without it
            throw new GoogleDriveRepositoryException(Reason.CREDENTIALS_REJECTED, "cannot open " + config.id()
                    + ": the service-account key is not a valid JSON key of type service_account ("
                    + e.getClass().getSimpleName() + ")", null);
        }
    }
}
