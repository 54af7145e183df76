package io.dockline.gateway;

/** A request the gateway refuses or cannot answer: the HTTP status (or event-bus failure code) and why. */
final class ApiException extends RuntimeException {
  final int status;

  ApiException(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  static ApiException notFound(String message) {
    return new ApiException(404, message);
  }

  static ApiException unavailable(String message) {
    return new ApiException(503, message);
  }
}
