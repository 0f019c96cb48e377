// Test helper for test_bootstrap.py, speaking base64 on the command line:
//   bootstrap_seal_open keygen                 -> "<public> <secret>"
//   bootstrap_seal_open open PUBLIC SECRET CT  -> the plaintext
// Exit 1 with a message when the box does not open.
#include <iostream>
#include <string_view>

#include "crypto/base64.h"
#include "crypto/sealed_box.h"

namespace {

int open_box(const char* public_key, const char* secret_key, const char* ciphertext) {
  const auto pk = eem::crypto::base64_decode(public_key);
  const auto sk = eem::crypto::base64_decode(secret_key);
  const auto ct = eem::crypto::base64_decode(ciphertext);
  if (!pk || !sk || !ct) {
    std::cerr << "seal_open: arguments must be base64\n";
    return 1;
  }
  auto plain = eem::crypto::seal_open(*ct, {*pk, *sk});
  if (!plain) {
    std::cerr << plain.error().message << '\n';
    return 1;
  }
  std::cout << *plain;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view mode = argc > 1 ? argv[1] : "";
  if (mode == "keygen" && argc == 2) {
    const auto keys = eem::crypto::generate_box_keypair();
    std::cout << eem::crypto::base64_encode(keys.public_key) << ' ' << eem::crypto::base64_encode(keys.secret_key) << '\n';
    return 0;
  }
  if (mode == "open" && argc == 5) return open_box(argv[2], argv[3], argv[4]);
  std::cerr << "usage: bootstrap_seal_open keygen | open PUBLIC SECRET CIPHERTEXT (base64)\n";
  return 2;
}
