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

ErrorCode ErrorCodeForStatus(unsigned status) {
  switch (status) {
    case 400:
      return ErrorCode::kInvalidArgument;
    case 401:
      return ErrorCode::kUnauthenticated;
    case 403:
      return ErrorCode::kPermissionDenied;
    case 404:
      return ErrorCode::kNotFound;
    case 409:
      return ErrorCode::kFailedPrecondition;
    case 413:
    case 429:
      return ErrorCode::kResourceExhausted;
    case 502:
    case 503:
    case 504:
      return ErrorCode::kUnavailable;
    default:
      return status >= 500 ? ErrorCode::kInternal : ErrorCode::kFailedPrecondition;
  }
}

Error ErrorFromResponse(unsigned status, std::string_view body) {
  ErrorCode code = ErrorCodeForStatus(status);
  std::string message(body);
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object()) {
    if (json.contains("message") && json["message"].is_string()) message = json["message"];
    std::string name = json.value("error", "");
    for (ErrorCode c :
         {ErrorCode::kInvalidArgument, ErrorCode::kNotFound, ErrorCode::kAlreadyExists,
          ErrorCode::kPermissionDenied, ErrorCode::kUnauthenticated, ErrorCode::kFailedPrecondition,
          ErrorCode::kUnavailable, ErrorCode::kResourceExhausted, ErrorCode::kDataLoss,
          ErrorCode::kInternal}) {
      if (ErrorCodeName(c) == name) code = c;
    }
  }
  for (char& c : message) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!message.empty() && message.back() == ' ') message.pop_back();
  return Error(code, message);
}

}  // namespace entente::net
