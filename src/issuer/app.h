#pragma once
// actions-oidc-issuer: a local GitHub-Actions-style OIDC issuer for tests
// and the rehearsal (DESIGN.md section 6). Not part of the service image.

namespace eem::issuer {

// The whole program behind main(): parses the flags, loads or generates the
// signing key, listens, prints the base URL ("http://127.0.0.1:PORT") as the
// first line on stdout, serves until SIGTERM/SIGINT and returns the exit
// code: 0 after a clean stop, 2 for bad arguments, 74 when the port cannot
// be bound or the key file read.
int issuer_main(int argc, const char* const* argv);

}  // namespace eem::issuer
