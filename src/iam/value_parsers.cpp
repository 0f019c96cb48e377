#include "iam/value_parsers.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "iam/request_context.h"

namespace eem::iam {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t count) {
  if (pos + count > text.size() || !all_digits(text.substr(pos, count))) return std::nullopt;
  int value = 0;
  std::from_chars(text.data() + pos, text.data() + pos + count, value);
  return value;
}

// Howard Hinnant's days_from_civil (http://howardhinnant.github.io/date_algorithms.html).
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

// Parses "[.fff](Z|+HH:MM|-HH:MM)?" after the seconds; returns the offset in seconds.
std::optional<double> parse_zone(std::string_view rest, double& fraction) {
  if (!rest.empty() && rest.front() == '.') {
    std::size_t n = 1;
    while (n < rest.size() && std::isdigit(static_cast<unsigned char>(rest[n])) != 0) ++n;
    if (n == 1) return std::nullopt;
    fraction = std::stod("0" + std::string(rest.substr(0, n)));
    rest.remove_prefix(n);
  }
  if (rest.empty() || rest == "Z") return 0.0;
  if (rest.size() != 6 || (rest[0] != '+' && rest[0] != '-') || rest[3] != ':') return std::nullopt;
  const auto hh = digits(rest, 1, 2);
  const auto mm = digits(rest, 4, 2);
  if (!hh || !mm) return std::nullopt;
  const double offset = (*hh * 3600.0) + (*mm * 60.0);
  return rest[0] == '+' ? offset : -offset;
}

bool parse_ip(std::string_view text, std::array<unsigned char, 16>& bytes, int& bits) {
  const std::string s(text);
  if (inet_pton(AF_INET, s.c_str(), bytes.data()) == 1) {
    bits = 32;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), bytes.data()) == 1) {
    bits = 128;
    return true;
  }
  return false;
}

std::vector<std::string_view> arn_parts(std::string_view arn) {
  std::vector<std::string_view> parts;
  for (int i = 0; i < 5; ++i) {
    const auto colon = arn.find(':');
    if (colon == std::string_view::npos) return {};
    parts.push_back(arn.substr(0, colon));
    arn.remove_prefix(colon + 1);
  }
  parts.push_back(arn);
  return parts;
}

}  // namespace

std::optional<double> parse_number(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value, std::chars_format::fixed);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<double> parse_date(std::string_view text) {
  if (all_digits(text)) return parse_number(text);
  const auto year = digits(text, 0, 4);
  const auto month = digits(text, 5, 2);
  const auto day = digits(text, 8, 2);
  if (!year || !month || !day || text[4] != '-' || text[7] != '-' || *month < 1 || *month > 12 || *day < 1 || *day > 31) {
    return std::nullopt;
  }
  double seconds = static_cast<double>(days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day))) * 86400.0;
  if (text.size() == 10) return seconds;
  if (text[10] != 'T' || text.size() < 16 || text[13] != ':') return std::nullopt;
  const auto hh = digits(text, 11, 2);
  const auto mm = digits(text, 14, 2);
  if (!hh || !mm || *hh > 23 || *mm > 59) return std::nullopt;
  int ss = 0;
  std::size_t pos = 16;
  if (text.size() > 16 && text[16] == ':') {
    const auto s = digits(text, 17, 2);
    if (!s || *s > 60) return std::nullopt;
    ss = *s;
    pos = 19;
  }
  double fraction = 0;
  const auto offset = parse_zone(text.substr(pos), fraction);
  if (!offset) return std::nullopt;
  return seconds + (*hh * 3600.0) + (*mm * 60.0) + ss + fraction - *offset;
}

bool ip_in_cidr(std::string_view address, std::string_view cidr) {
  std::array<unsigned char, 16> addr{};
  std::array<unsigned char, 16> net{};
  int addr_bits = 0;
  int net_bits = 0;
  const auto slash = cidr.find('/');
  if (!parse_ip(address, addr, addr_bits) || !parse_ip(cidr.substr(0, slash), net, net_bits) || addr_bits != net_bits) {
    return false;
  }
  int prefix = net_bits;
  if (slash != std::string_view::npos) {
    const auto p = cidr.substr(slash + 1);
    if (!all_digits(p) || p.size() > 3) return false;
    std::from_chars(p.data(), p.data() + p.size(), prefix);
    if (prefix > net_bits) return false;
  }
  for (int bit = 0; bit < prefix; ++bit) {
    const auto byte = static_cast<std::size_t>(bit / 8);
    const auto mask = static_cast<unsigned char>(0x80u >> (bit % 8));
    if ((addr[byte] & mask) != (net[byte] & mask)) return false;
  }
  return true;
}

bool arn_like(std::string_view pattern, std::string_view arn) {
  const auto p = arn_parts(pattern);
  const auto a = arn_parts(arn);
  if (p.size() != 6 || a.size() != 6) return false;
  for (std::size_t i = 0; i < 6; ++i) {
    if (!wildcard_match(p[i], a[i])) return false;
  }
  return true;
}

}  // namespace eem::iam
