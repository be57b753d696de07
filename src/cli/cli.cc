#include "cli/cli.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "base/file.h"

namespace entente::cli {

int ExitCodeFor(const Error& error) {
  switch (error.code()) {
    case ErrorCode::kPermissionDenied:
      return kExitNo;  // refused by policy: a clear "no"
    case ErrorCode::kUnavailable:
      return kExitUnavailable;
    case ErrorCode::kInternal:
      return kExitInternal;
    default:
      return kExitBadInput;
  }
}

int Fail(const Error& error) {
  std::fprintf(stderr, "entente: %s\n", error.message().c_str());
  return ExitCodeFor(error);
}

void PrintJson(const nlohmann::json& value) { std::cout << value.dump(2) << "\n"; }

namespace {

// Reads one line from the terminal with echo off; the buffer holding it is wiped after use.
Result<crypto::SecretBytes> AskTerminal(const char* prompt) {
  FILE* tty = std::fopen("/dev/tty", "r+");
  if (tty == nullptr) {
    return InvalidArgument("no passphrase: set ENTENTE_PASSPHRASE or run on a terminal");
  }
  std::fputs(prompt, tty);
  std::fflush(tty);
  int fd = fileno(tty);
  termios old_mode{};
  bool restore = tcgetattr(fd, &old_mode) == 0;
  if (restore) {
    termios quiet = old_mode;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  crypto::SecretBytes buffer(1024);
  size_t length = 0;
  int c;
  while ((c = std::fgetc(tty)) != EOF && c != '\n' && length < buffer.size()) {
    buffer.data()[length++] = static_cast<uint8_t>(c);
  }
  if (restore) tcsetattr(fd, TCSAFLUSH, &old_mode);
  std::fputs("\n", tty);
  std::fclose(tty);
  return crypto::SecretBytes(buffer.view().first(length));
}

}  // namespace

Result<crypto::SecretBytes> ReadPassphrase(bool confirm) {
  if (const char* env = std::getenv("ENTENTE_PASSPHRASE")) {
    return crypto::SecretBytes(AsBytes(env));
  }
  ENTENTE_ASSIGN_OR_RETURN(crypto::SecretBytes first, AskTerminal("Passphrase: "));
  if (confirm) {
    ENTENTE_ASSIGN_OR_RETURN(crypto::SecretBytes second, AskTerminal("Passphrase again: "));
    if (!first.Equals(second)) return InvalidArgument("the passphrases differ");
  }
  return first;
}

Result<std::string> ReadFileText(const std::string& path) {
  ENTENTE_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(path));
  return ToString(bytes);
}

}  // namespace entente::cli
