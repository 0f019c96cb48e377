// Linked into the static shipctl only (cmake/StaticShipctl.cmake).
//
// Debian 12's libstdc++.a (std::random_device) calls arc4random, which glibc
// added in 2.36; the import alone would make the binary refuse to start on
// glibc 2.35 (ubuntu-22.04 runners). Defined here, the executable's own
// definition satisfies the reference, and the glibc floor stays 2.35
// (_dl_find_object, used by libgcc's unwinder). Same contract as glibc's:
// uniformly random 32 bits from the kernel's CSPRNG.

#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" std::uint32_t arc4random() {
  std::uint32_t value = 0;
  for (;;) {
    const ssize_t got = getrandom(&value, sizeof value, 0);
    if (got == static_cast<ssize_t>(sizeof value)) return value;
    if (got < 0 && errno != EINTR) {
      std::perror("shipctl: getrandom");
      std::abort();
    }
  }
}
