package io.pgvault.testkit.gdrive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The OAuth 2.0 token endpoint of the fake (RFC 6749 refresh-token grant, RFC 7523 JWT-bearer grant as Google
 * service accounts use it) and the check of the bearer tokens it issued.
 */
final class FakeAuth {
    private static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    private final ObjectMapper json;
    private final Map<String, String[]> refreshTokens = new ConcurrentHashMap<>();
    private final Map<String, PublicKey> serviceAccounts = new ConcurrentHashMap<>();
    /** Issued access tokens and the principal each was issued to (OAuth client id, service account email). */
    private final Map<String, String> accessTokens = new ConcurrentHashMap<>();
    /** The Cloud project of each principal (OAuth client id, service account email). */
    private final Map<String, String> projects = new ConcurrentHashMap<>();
    private volatile boolean revoked;

    FakeAuth(ObjectMapper json) {
        this.json = json;
    }

    void registerOAuthClient(String clientId, String clientSecret, String refreshToken, String project) {
        refreshTokens.put(refreshToken, new String[] {clientId, clientSecret});
        projects.put(clientId, project);
    }

    void registerServiceAccount(String clientEmail, PublicKey key, String project) {
        serviceAccounts.put(clientEmail, key);
        projects.put(clientEmail, project);
    }

    /** @return the Cloud project a principal belongs to, or null for none (an unknown principal) */
    String projectOf(String principal) {
        return principal == null ? null : projects.get(principal);
    }

    void revokeAll() {
        revoked = true;
        accessTokens.clear();
    }

    void restore() {
        revoked = false;
    }

    void expireAccessTokens() {
        accessTokens.clear();
    }

    boolean accepts(String authorization) {
        return principal(authorization) != null;
    }

    /** @return whom the bearer token was issued to, or null when it is not a valid token */
    String principal(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return null;
        }
        return accessTokens.get(authorization.substring("Bearer ".length()));
    }

    /**
     * @param form the form-encoded request
     * @return status and JSON body of the answer
     */
    Answer token(Map<String, String> form) {
        String grant = form.getOrDefault("grant_type", "");
        if (grant.equals("refresh_token")) {
            String[] client = refreshTokens.get(form.getOrDefault("refresh_token", ""));
            if (client == null || revoked) {
                return error(400, "invalid_grant", "Token has been expired or revoked.");
            }
            if (!client[0].equals(form.get("client_id")) || !client[1].equals(form.get("client_secret"))) {
                return error(401, "invalid_client", "Unauthorized");
            }
            return issue(client[0]);
        }
        if (grant.equals(JWT_BEARER)) {
            String assertion = form.getOrDefault("assertion", "");
            String problem = checkAssertion(assertion);
            if (problem != null) {
                return error(400, "invalid_grant", problem);
            }
            return issue(issuer(assertion));
        }
        return error(400, "unsupported_grant_type", "Invalid grant_type: " + grant);
    }

    private String checkAssertion(String assertion) {
        String[] parts = assertion.split("\\.");
        if (parts.length != 3) {
            return "Invalid JWT: malformed.";
        }
        try {
            JsonNode claims = json.readTree(Base64.getUrlDecoder().decode(parts[1]));
            PublicKey key = serviceAccounts.get(claims.path("iss").asText());
            if (key == null || revoked) {
                return "Invalid JWT Signature.";
            }
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initVerify(key);
            signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!signature.verify(Base64.getUrlDecoder().decode(parts[2]))) {
                return "Invalid JWT Signature.";
            }
            if (claims.path("exp").asLong() < Instant.now().getEpochSecond()) {
                return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.";
            }
            return null;
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            return "Invalid JWT: " + e.getMessage();
        }
    }

    private String issuer(String assertion) {
        try {
            return json.readTree(Base64.getUrlDecoder().decode(assertion.split("\\.")[1])).path("iss").asText();
        } catch (IOException e) {
            throw new IllegalStateException("an assertion that was checked is readable", e);
        }
    }

    private Answer issue(String principal) {
        String token = "ya29.fake-" + UUID.randomUUID();
        accessTokens.put(token, principal);
        return new Answer(200, json.createObjectNode().put("access_token", token).put("expires_in", 3599)
                .put("scope", "https://www.googleapis.com/auth/drive").put("token_type", "Bearer"));
    }

    private Answer error(int status, String error, String description) {
        return new Answer(status, json.createObjectNode().put("error", error).put("error_description", description));
    }

    /** A response: status and JSON body. */
    record Answer(int status, JsonNode body) {
    }
}
