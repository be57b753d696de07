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

}  // namespace entente::net
