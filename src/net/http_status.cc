#include "net/http_status.h"

#include <nlohmann/json.hpp>

namespace entente::net {

unsigned HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kFailedPrecondition:
      return 409;
    case ErrorCode::kResourceExhausted:
      return 413;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kDataLoss:
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

HttpResponse ErrorResponse(const Error& error) {
  nlohmann::json body = {{"error", ErrorCodeName(error.code())}, {"message", error.message()}};
  return HttpResponse{HttpStatusFor(error.code()), "application/json", body.dump() + "\n", {}};
}

}  // namespace entente::net
