// Boost's debug assertion handler for the server (BOOST_ENABLE_ASSERT_DEBUG_HANDLER
// is defined in beast.h, so release builds compile Boost's assertions out as
// before). It exists for one false assertion in Boost 1.74's Beast:
// basic_parser::parse_chunk_header asserts `n >= 5` on re-entry after the last
// chunk, but a client that sends "0\r\n" and then one more byte reaches it
// with 4 bytes, which is valid input. Beast fixed the assertion upstream
// (boostorg/beast#2861, n >= 3 when no CRLF is pending; Boost 1.86), and the
// code after it handles 3 bytes correctly. Without this handler a developer
// build aborts on such a request; found by tests/fuzz. Every other failed
// assertion still aborts with its location.

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "server/beast.h"

namespace {

bool is_known_false_assertion(const char* expr, const char* file) {
  return std::strcmp(expr, "n >= 5") == 0 &&
         std::strstr(file, "boost/beast/http/impl/basic_parser.ipp") != nullptr;
}

}  // namespace

namespace boost {

void assertion_failed(const char* expr, const char* function, const char* file, long line) {
  if (is_known_false_assertion(expr, file)) return;
  std::fprintf(stderr, "%s:%ld: %s: assertion `%s' failed\n", file, line, function, expr);
  std::abort();
}

void assertion_failed_msg(const char* expr, const char* msg, const char* function,
                          const char* file, long line) {
  std::fprintf(stderr, "%s:%ld: %s: assertion `%s' failed: %s\n", file, line, function, expr,
               msg);
  std::abort();
}

}  // namespace boost
