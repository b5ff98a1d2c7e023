/**
 * GoogleDriveRepository: a Repository in a Google Drive folder or shared drive, with resumable uploads.
 */
package io.pgvault.storage.gdrive;
