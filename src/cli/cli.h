// cli/cli.h: what the `entente` command's parts share: exit codes, output, reading secrets.
//
// `cli/` parses arguments, calls the library and prints. It holds no logic of its own.
#pragma once

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "base/error.h"
#include "crypto/secret_bytes.h"

namespace entente::cli {

// Exit codes, the one place they are chosen (docs/operations.md lists them).
enum ExitCode : int {
  kExitOk = 0,        // yes / done
  kExitNo = 1,        // a well-formed question answered "no" (denied, not dominated, failed check)
  kExitBadInput = 2,  // bad input: malformed label, broken file, wrong passphrase
  kExitUnavailable = 3,  // a transient failure: retry
  kExitInternal = 70,    // a bug (EX_SOFTWARE)
};

// Maps an error to its exit code.
int ExitCodeFor(const Error& error);

// Prints "entente: <message>" on one line to stderr and returns ExitCodeFor(error).
int Fail(const Error& error);

// Prints `value` as indented JSON followed by a newline.
void PrintJson(const nlohmann::json& value);

// Reads the passphrase from $ENTENTE_PASSPHRASE, else asks on the terminal (echo off), asking
// twice when `confirm`. InvalidArgument when there is neither the variable nor a terminal.
Result<crypto::SecretBytes> ReadPassphrase(bool confirm);

// Reads a whole file; NotFound / InvalidArgument naming the path.
Result<std::string> ReadFileText(const std::string& path);

// Each command group adds its subcommands to `app`; a subcommand's callback stores its exit code
// in `*exit_code`.
void AddLabelCommands(CLI::App& app, int* exit_code);
void AddKeyCommands(CLI::App& app, int* exit_code);
void AddLogCommands(CLI::App& app, int* exit_code);
void AddNodeCommands(CLI::App& app, int* exit_code);
void AddAuditCommands(CLI::App& app, int* exit_code);
void AddClientCommands(CLI::App& app, int* exit_code);
void AddConsultCommands(CLI::App& app, int* exit_code);
void AddExerciseCommands(CLI::App& app, int* exit_code);
void AddAgendaCommands(CLI::App& app, int* exit_code);

}  // namespace entente::cli
