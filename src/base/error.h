// base/error.h: the one error model of Entente.
//
// Every fallible function returns `Result<T>` (`std::expected<T, Error>`) or `Status`
// (`Result<void>`). An `Error` carries a code from a small fixed set and a message for people.
// Codes are mapped to exit codes in `cli/` and to HTTP statuses in `net/`, one place each.
// No exceptions cross a module boundary on a request path or for untrusted input.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace entente {

enum class ErrorCode {
  // The input is malformed or out of range, whatever the system's state: a bad label, a
  // truncated encoding, an unknown field. Retrying the same input fails again.
  kInvalidArgument,
  // The thing asked for does not exist (an event id, a file, a space).
  kNotFound,
  // The thing to create exists already (a duplicate event, an existing key file).
  kAlreadyExists,
  // The caller is known but not allowed: a clearance that does not admit a label, a role that
  // may not author a kind.
  kPermissionDenied,
  // The caller or the data could not be authenticated: a bad signature, a wrong passphrase, a
  // decryption failure. The message stays vague on purpose.
  kUnauthenticated,
  // The system is not in the state the operation needs (a transition that is not allowed now,
  // a log that is not consistent with the last checkpoint).
  kFailedPrecondition,
  // A transient failure; the caller can retry just the failing call (peer down, store busy).
  kUnavailable,
  // A limit was hit: too large, too many.
  kResourceExhausted,
  // Stored or received data is corrupt or lost beyond repair.
  kDataLoss,
  // A bug: an invariant failed. Never used for bad input.
  kInternal,
};

// Returns the stable lower_snake name of `code` ("invalid_argument"), used in logs and JSON.
std::string_view ErrorCodeName(ErrorCode code);

// An error: what went wrong (`code`) and what a person should know (`message`). Messages say
// what was wrong and what to do; crypto and authentication failures say one vague thing.
class [[nodiscard]] Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "<context>: <message>", for adding where the error happened.
  Error WithContext(std::string_view context) const;

  // "invalid_argument: <message>".
  std::string ToString() const;

 private:
  ErrorCode code_;
  std::string message_;
};

template <class T>
using Result = std::expected<T, Error>;
using Status = Result<void>;

inline std::unexpected<Error> MakeError(ErrorCode code, std::string message) {
  return std::unexpected<Error>(std::in_place, code, std::move(message));
}
inline std::unexpected<Error> InvalidArgument(std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(message));
}
inline std::unexpected<Error> NotFound(std::string message) {
  return MakeError(ErrorCode::kNotFound, std::move(message));
}
inline std::unexpected<Error> AlreadyExists(std::string message) {
  return MakeError(ErrorCode::kAlreadyExists, std::move(message));
}
inline std::unexpected<Error> PermissionDenied(std::string message) {
  return MakeError(ErrorCode::kPermissionDenied, std::move(message));
}
inline std::unexpected<Error> Unauthenticated(std::string message) {
  return MakeError(ErrorCode::kUnauthenticated, std::move(message));
}
inline std::unexpected<Error> FailedPrecondition(std::string message) {
  return MakeError(ErrorCode::kFailedPrecondition, std::move(message));
}
inline std::unexpected<Error> Unavailable(std::string message) {
  return MakeError(ErrorCode::kUnavailable, std::move(message));
}
inline std::unexpected<Error> ResourceExhausted(std::string message) {
  return MakeError(ErrorCode::kResourceExhausted, std::move(message));
}
inline std::unexpected<Error> DataLoss(std::string message) {
  return MakeError(ErrorCode::kDataLoss, std::move(message));
}
inline std::unexpected<Error> Internal(std::string message) {
  return MakeError(ErrorCode::kInternal, std::move(message));
}

// Aborts with `message` when `condition` is false. For invariants whose failure means a bug or
// corruption of our own memory; never for network, disk or user input. Always on.
[[noreturn]] void CheckFailed(const char* file, int line, const char* condition);
#define ENTENTE_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : ::entente::CheckFailed(__FILE__, __LINE__, #condition))

}  // namespace entente

#define ENTENTE_CONCAT_INNER(a, b) a##b
#define ENTENTE_CONCAT(a, b) ENTENTE_CONCAT_INNER(a, b)

// Returns the error of `expr` (a Result or Status) from the enclosing function, if any.
#define ENTENTE_RETURN_IF_ERROR(expr)                                  \
  do {                                                                 \
    if (auto entente_status_ = (expr); !entente_status_.has_value()) { \
      return std::unexpected(std::move(entente_status_).error());      \
    }                                                                  \
  } while (false)

// `ENTENTE_ASSIGN_OR_RETURN(auto x, Parse(...));` declares `x` from the value of a Result, or
// returns its error from the enclosing function.
#define ENTENTE_ASSIGN_OR_RETURN(lhs, expr) \
  ENTENTE_ASSIGN_OR_RETURN_IMPL(ENTENTE_CONCAT(entente_result_, __LINE__), lhs, expr)
// `tmp` names a variable and `lhs` is a declaration: neither can be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define ENTENTE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.has_value()) {                             \
    return std::unexpected(std::move(tmp).error());   \
  }                                                   \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
