package io.pgvault.testkit.gdrive;

/** Thrown inside the fake to answer a request with a Drive error response. */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final transient DriveFault fault;

    ApiError(DriveFault fault) {
        super(fault.message(), null, false, false);
        this.fault = fault;
    }

    static ApiError badRequest(String message) {
        return new ApiError(new DriveFault(400, "global", "badRequest", message));
    }

    static ApiError invalid(String message) {
        return new ApiError(new DriveFault(400, "global", "invalid", message));
    }

    static ApiError notFound(String id) {
        return new ApiError(DriveFault.notFound(id));
    }
}
