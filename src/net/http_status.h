// net/http_status.h: the one mapping from Entente's error codes to HTTP statuses, and the JSON
// error body every endpoint answers with.
#pragma once

#include <string>

#include "base/error.h"
#include "net/http_server.h"

namespace entente::net {

// invalid_argument 400, unauthenticated 401, permission_denied 403, not_found 404,
// already_exists 409, failed_precondition 409, resource_exhausted 413, unavailable 503,
// data_loss and internal 500.
unsigned HttpStatusFor(ErrorCode code);

// {"error": "<code name>", "message": "<message>"} with HttpStatusFor(code).
HttpResponse ErrorResponse(const Error& error);

// The inverse, for clients: the error a refused request stands for. The code is the one the
// body names (`{"error": "<code name>"}`, as ErrorResponse writes) when it names one, else the
// status's (400 invalid_argument, 401 unauthenticated, 403 permission_denied, 404 not_found,
// 409 failed_precondition, 413/429 resource_exhausted, 502/503/504 unavailable, other 5xx
// internal, anything else failed_precondition); the message is the body's "message", else the
// body text, on one line.
ErrorCode ErrorCodeForStatus(unsigned status);
Error ErrorFromResponse(unsigned status, std::string_view body);

}  // namespace entente::net
