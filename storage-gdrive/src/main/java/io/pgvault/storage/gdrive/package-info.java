/**
 * {@link io.pgvault.storage.gdrive.GoogleDriveRepository}: a {@link io.pgvault.spi.Repository} in a Google Drive
 * folder or shared drive, through the Drive v3 API, with streaming resumable uploads committed by a rename after an
 * MD5 check, backoff on rate limits, and typed errors for exhausted quotas, rejected credentials and missing folders.
 * Settings: {@link io.pgvault.storage.gdrive.GoogleDriveRepositoryConfig}; credentials:
 * {@link io.pgvault.storage.gdrive.DriveCredentials}. The design is recorded in ADR 0009.
 */
package io.pgvault.storage.gdrive;
