package io.pgvault.testkit.gdrive;

/**
 * A member's role on a shared drive, as the Drive v3 {@code permissions} resource names it, with what {@link DriveV3Fake}
 * lets each role do to the drive's items (after Google's published role table for shared drives):
 * <ul>
 *   <li>{@link #ORGANIZER} (Manager): everything, including {@code files.delete}, the permanent delete;</li>
 *   <li>{@link #FILE_ORGANIZER} (Content manager): create, edit, move within the drive, and move to the trash
 *       ({@code files.update trashed=true}); {@code files.delete} is refused with 403
 *       {@code insufficientFilePermissions}, as Drive does ("If the file belongs to a shared drive, the user must be an
 *       organizer on the parent folder");</li>
 *   <li>{@link #WRITER} (Contributor): create and edit; trashing, deleting and moving are refused;</li>
 *   <li>{@link #COMMENTER} and {@link #READER}: read only.</li>
 * </ul>
 *
 * @since 0.6.0
 */
public enum DriveRole {
    /** Manager. */
    ORGANIZER("organizer"),
    /** Content manager. */
    FILE_ORGANIZER("fileOrganizer"),
    /** Contributor. */
    WRITER("writer"),
    /** Commenter. */
    COMMENTER("commenter"),
    /** Viewer. */
    READER("reader");

    private final String apiName;

    DriveRole(String apiName) {
        this.apiName = apiName;
    }

    /**
     * @return the role's name in the Drive API, e.g. {@code fileOrganizer}
     * @since 0.6.0
     */
    public String apiName() {
        return apiName;
    }

    /** @return whether this role may do what {@code needed} may */
    boolean includes(DriveRole needed) {
        return ordinal() <= needed.ordinal();
    }
}
