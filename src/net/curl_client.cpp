// The libcurl adapter behind net::HttpClient: the only file that includes curl.
//
// One CURL easy handle per client: libcurl keeps the connection cache on the
// handle, so consecutive requests to one host reuse the TCP/TLS connection
// (curl_easy_reset keeps it, https://curl.se/libcurl/c/curl_easy_reset.html).
// The system CA store is searched as a hashed directory, not loaded as a
// bundle: OpenSSL 3 parses every certificate of a bundle (~140 on Debian) for
// each new TLS context, about 25 ms of CPU per connection here, paid by every
// upload worker and every AWS client (bench/push/README.md).
//
// Proxies come from the environment (HTTPS_PROXY, https_proxy, http_proxy,
// NO_PROXY, no_proxy), which libcurl reads whenever CURLOPT_PROXY is unset; we
// never set it, so the variables behave as in curl(1) and the AWS SDKs.

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>

#include "net/http_client.h"
#include "net/tracing_client.h"
#include "util/build_info.h"
#include "util/strings.h"

// Debian's libcurl links GnuTLS through librtmp and libldap (protocols we
// never enable: CURLOPT_PROTOCOLS_STR below), and GnuTLS initialises itself in
// a library constructor at every process start, ~0.8 M instructions of
// shipctl's ~32 M for a warm push. Defining this symbol in the executable is
// gnutls.h's documented opt-out (GNUTLS_SKIP_GLOBAL_INIT); librtmp and libldap
// call gnutls_global_init() themselves before any use. src/net/CMakeLists.txt
// exports it so that the library's lookup finds it.
extern "C" __attribute__((visibility("default"), used)) int _gnutls_global_init_skip() { return 1; }

namespace eem::net {

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
  for (const auto& header : headers) {
    if (util::iequals(header.name, name)) return std::string_view(header.value);
  }
  return std::nullopt;
}

namespace {

struct EasyDeleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
struct UrlDeleter {
  void operator()(CURLU* url) const noexcept { curl_url_cleanup(url); }
};
struct CurlStringDeleter {
  void operator()(char* text) const noexcept { curl_free(text); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

// Whether `dir` looks like an OpenSSL hashed CA directory: some entry named
// by a subject hash, "89abcdef.0".
bool is_hashed_ca_dir(const std::string& dir) {
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() == 10 && name.ends_with(".0") &&
        name.find_first_not_of("0123456789abcdef") == 8) {
      return true;
    }
  }
  return false;
}

// libcurl's built-in CA path when it is a hashed directory that OpenSSL
// reads on demand; empty otherwise (another TLS backend, or no such path).
const std::string& builtin_ca_dir() {
  static const std::string dir = [] {
    const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
    if (info == nullptr || info->capath == nullptr || info->ssl_version == nullptr ||
        !std::string_view(info->ssl_version).starts_with("OpenSSL/")) {
      return std::string();
    }
    std::string path = info->capath;
    return is_hashed_ca_dir(path) ? path : std::string();
  }();
  return dir;
}

// The system's CA bundle when libcurl's built-in one (Debian's path) is absent,
// as for the release binary on another distribution: the first that exists of
// the paths Go's crypto/x509 searches (root_linux.go). Empty: keep libcurl's.
const std::string& system_ca_bundle() {
  static const std::string bundle = [] {
    const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
    std::error_code ec;
    if (info != nullptr && info->cainfo != nullptr && std::filesystem::exists(info->cainfo, ec)) {
      return std::string();
    }
    for (const char* path : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                             "/etc/ssl/ca-bundle.pem", "/etc/pki/tls/cacert.pem",
                             "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem"}) {
      if (std::filesystem::is_regular_file(path, ec)) return std::string(path);
    }
    return std::string();
  }();
  return bundle;
}

void global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The host of `url` for error messages: never the path or query, which may
// carry presigned signatures or tokens.
std::string host_of(const std::string& url) {
  std::unique_ptr<CURLU, UrlDeleter> parsed(curl_url());
  char* host = nullptr;
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK ||
      curl_url_get(parsed.get(), CURLUPART_HOST, &host, 0) != CURLUE_OK) {
    return "(unparsable URL)";
  }
  std::unique_ptr<char, CurlStringDeleter> owned(host);
  return std::string(host);
}

// "scheme://host:port" with the scheme's default port filled in: a redirect
// may keep credentials only within one origin (RFC 6454), so an https URL
// redirected to http on the same host, or to another port, is another origin.
std::string origin_of(const std::string& url) {
  std::unique_ptr<CURLU, UrlDeleter> parsed(curl_url());
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return "(unparsable URL)";
  }
  std::string origin;
  for (auto [part, flags, separator] : {std::tuple{CURLUPART_SCHEME, 0u, "://"},
                                        std::tuple{CURLUPART_HOST, 0u, ":"},
                                        std::tuple{CURLUPART_PORT, unsigned{CURLU_DEFAULT_PORT}, ""}}) {
    char* text = nullptr;
    if (curl_url_get(parsed.get(), part, &text, flags) != CURLUE_OK) return "(unparsable URL)";
    std::unique_ptr<char, CurlStringDeleter> owned(text);
    origin.append(text).append(separator);
  }
  return origin;
}

// "scheme://host:port" as written in `url` (no path, no query: they may carry
// signatures), for messages about a URL curl could not parse.
std::string authority_text(std::string_view url) {
  const auto scheme = url.find("://");
  const auto start = scheme == std::string_view::npos ? 0 : scheme + 3;
  return std::string(url.substr(0, url.find_first_of("/?#", start)));
}

// Failures that the same request cannot get past by being sent again: they
// must not look transient (exit 75, "retry later") nor be retried.
util::Error transfer_error(CURLcode code, const std::string& detail, const Request& request,
                           const ClientOptions& options) {
  const std::string what = request.method + " to " + host_of(request.url) + " failed: " + detail;
  switch (code) {
    case CURLE_URL_MALFORMAT: {
      std::unique_ptr<CURLU, UrlDeleter> parsed(curl_url());
      const CURLUcode why = curl_url_set(parsed.get(), CURLUPART_URL, request.url.c_str(), 0);
      return {util::ErrorKind::kInvalidInput,
              request.method + " " + authority_text(request.url) + ": the URL is not usable (" +
                  (why != CURLUE_OK ? curl_url_strerror(why) : detail) + "): check the host and port"};
    }
    case CURLE_PEER_FAILED_VERIFICATION:
      return {util::ErrorKind::kDenied,
              what + ": the server's TLS certificate is not trusted (not retried): trust its CA (for a registry: "
                     "--ca-file or SHIPCTL_CA_FILE), or check that " + host_of(request.url) +
                  " is the server you meant"};
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CRL_BADFILE:
      if (options.ca_file.empty() && options.ca_dir.empty()) {
        return {util::ErrorKind::kInvalidInput,
                what + ": no system CA store was found (neither a hashed /etc/ssl/certs nor a CA bundle such as "
                       "/etc/ssl/certs/ca-certificates.crt or /etc/pki/tls/certs/ca-bundle.crt): install the "
                       "distribution's ca-certificates package, or give a PEM file of CA certificates (--ca-file or "
                       "SHIPCTL_CA_FILE)"};
      }
      return {util::ErrorKind::kInvalidInput,
              what + ": the CA file " + (options.ca_file.empty() ? options.ca_dir : options.ca_file) +
                  " cannot be used: give a PEM file of CA certificates (--ca-file or SHIPCTL_CA_FILE)"};
    default:
      return {util::ErrorKind::kTransient, what};
  }
}

// curl's upload buffer for streamed bodies (blobs), instead of its 64 KiB
// default: each fill is one read callback (one file read) and one pass of
// curl's send loop, which polls the socket for an early answer. On a 275 MB
// push over TLS, 256 KiB cut polls from 8.5k to 2.2k, file reads from 4.5k
// to 1.4k and system time from 0.15 s to 0.12 s; 2 MiB (curl's maximum)
// saved no more measurable time and added 4 MiB of peak RSS for four workers
// (bench/push/README.md).
constexpr std::size_t kStreamBufferBytes = std::size_t{256} << 10;

// Per-transfer state shared with the curl callbacks.
struct Transfer {
  const Request* request = nullptr;
  std::size_t max_bytes = 0;
  Response response;
  bool over_cap = false;
  std::string_view upload_body;  // the in-memory body, consumed by on_read
  std::size_t upload_offset = 0;
};

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t length = size * count;
  std::string_view line(data, length);
  // A new status line starts a new response (100 Continue, 1xx): only the
  // final response's headers are kept.
  if (line.starts_with("HTTP/")) {
    transfer->response.headers.clear();
    return length;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return length;
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.remove_suffix(1);
  transfer->response.headers.push_back(
      Header{std::string(line.substr(0, colon)), std::string(util::trim(value))});
  return length;
}

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t length = size * count;
  if (transfer->request->on_body) {
    transfer->request->on_body(std::string_view(data, length));
    return length;
  }
  if (transfer->response.body.size() + length > transfer->max_bytes) {
    transfer->over_cap = true;
    return 0;  // makes curl abort with CURLE_WRITE_ERROR
  }
  transfer->response.body.append(data, length);
  return length;
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::size_t capacity = size * count;
  if (transfer->request->stream) {
    return transfer->request->stream->read(
        std::span<std::byte>(reinterpret_cast<std::byte*>(buffer), capacity));
  }
  const std::size_t left = transfer->upload_body.size() - transfer->upload_offset;
  const std::size_t n = std::min(left, capacity);
  std::memcpy(buffer, transfer->upload_body.data() + transfer->upload_offset, n);
  transfer->upload_offset += n;
  return n;
}

bool has_body(const Request& request) {
  return request.stream.has_value() || !request.body.empty() || request.method == "POST" ||
         request.method == "PUT" || request.method == "PATCH";
}

class CurlClient final : public HttpClient {
 public:
  explicit CurlClient(ClientOptions options) : options_(std::move(options)) {
    global_init_once();
    if (options_.user_agent.empty()) {
      options_.user_agent = "shipctl/" + std::string(util::build_info().version);
    }
    handle_.reset(curl_easy_init());
    for (const auto& entry : options_.connect_to) {
      // Appending returns the list's head: the old one, or a new one for the
      // first entry; nullptr (out of memory) leaves the list as it was.
      curl_slist* head = curl_slist_append(connect_to_.get(), entry.c_str());
      if (head != nullptr && head != connect_to_.get()) connect_to_.reset(head);
    }
  }

  util::Result<Response> send(const Request& request) override {
    if (!handle_) return util::fail(util::ErrorKind::kInternal, "curl_easy_init failed");
    Request current = request;
    // Redirects are followed here, not by libcurl, so the same-origin rule is
    // ours to enforce (Authorization must never reach another host, port or
    // scheme).
    constexpr int kMaxRedirects = 10;
    for (int hop = 0;; ++hop) {
      std::string location;
      auto response = send_once(current, location);
      if (!response) return response;
      if (options_.redirects == Redirects::kNone || location.empty() || hop >= kMaxRedirects ||
          response->status < 300 || response->status > 308 || current.stream) {
        return response;
      }
      if (origin_of(location) != origin_of(current.url)) return response;
      if (response->status == 303 ||
          ((response->status == 301 || response->status == 302) && current.method == "POST")) {
        current.method = "GET";
        current.body.clear();
      }
      current.url = std::move(location);
    }
  }

 private:
  util::Result<Response> send_once(const Request& request, std::string& location) {
    CURL* curl = handle_.get();
    curl_easy_reset(curl);  // keeps the connection cache
    Transfer transfer;
    transfer.request = &request;
    transfer.max_bytes = options_.max_response_bytes;
    HeaderList headers = build_headers(request);
    if (auto configured = configure(curl, request, transfer, headers.get()); !configured) {
      return std::unexpected(configured.error());
    }
    char error_text[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
    const CURLcode code = curl_easy_perform(curl);
    if (transfer.over_cap) {
      return util::fail(util::ErrorKind::kInvalidInput,
                        "response from " + host_of(request.url) + " exceeds the limit of " +
                            std::to_string(options_.max_response_bytes) + " bytes");
    }
    if (code != CURLE_OK) {
      const std::string detail = error_text[0] != '\0' ? error_text : curl_easy_strerror(code);
      return std::unexpected(transfer_error(code, detail, request, options_));
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    transfer.response.status = static_cast<int>(status);
    char* redirect = nullptr;
    if (curl_easy_getinfo(curl, CURLINFO_REDIRECT_URL, &redirect) == CURLE_OK && redirect) {
      location = redirect;
    }
    return std::move(transfer.response);
  }

  static HeaderList build_headers(const Request& request) {
    curl_slist* list = nullptr;
    auto append = [&list](const std::string& line) {
      curl_slist* next = curl_slist_append(list, line.c_str());
      if (next) list = next;
    };
    for (const auto& header : request.headers) {
      // "Name;" is curl's spelling of a header with an empty value.
      append(header.value.empty() ? header.name + ";" : header.name + ": " + header.value);
    }
    // No "Expect: 100-continue" round trip; registries and AWS answer fine
    // without it and it costs a round trip per upload.
    append("Expect:");
    // Keep libcurl's default "Accept: */*" off unless the caller set one.
    if (!find_header(request.headers, "Accept")) append("Accept:");
    return HeaderList(list);
  }

  util::Result<void> configure(CURL* curl, const Request& request, Transfer& transfer,
                               curl_slist* headers) {
    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(options_.low_speed_bytes));
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.low_speed_time.count()));
    const long verify = options_.tls_verify == TlsVerify::kOn ? 1L : 0L;
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, verify);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, verify * 2L);
    if (verify != 0L) configure_ca(curl);
    if (connect_to_) curl_easy_setopt(curl, CURLOPT_CONNECT_TO, connect_to_.get());
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    // HTTP/1.1 even when the server offers h2 (docker-registry and ECR do):
    // each client is one handle sending one request at a time, so h2's
    // multiplexing never applies, and libcurl 7.88's h2 upload path costs
    // CPU on both ends. A 275 MB push over TLS measured 0.70-0.75 s of
    // system time and 0.40-0.44 s of user time with h2 (34k sends of 8 KB,
    // 19k receives, 128k polls), 0.15 s and 0.28-0.31 s with HTTP/1.1
    // (17k sends of one 16 KB TLS record, 125 receives, 8.5k polls); the
    // registry's CPU fell from 1.2 to 1.0 s (bench/push/README.md).
    curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_1_1});
    return configure_method(curl, request, transfer);
  }

  // The CA bundle (CAINFO) is the caller's extra file; the system store is
  // the hashed directory (CAPATH) when there is one, else the system bundle.
  void configure_ca(CURL* curl) const {
    const std::string& dir = options_.ca_dir.empty() ? builtin_ca_dir() : options_.ca_dir;
    if (!dir.empty()) {
      curl_easy_setopt(curl, CURLOPT_CAPATH, dir.c_str());
      curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.empty() ? nullptr : options_.ca_file.c_str());
    } else if (!options_.ca_file.empty()) {
      curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
    } else if (!system_ca_bundle().empty()) {
      curl_easy_setopt(curl, CURLOPT_CAINFO, system_ca_bundle().c_str());
    }
  }

  static util::Result<void> configure_method(CURL* curl, const Request& request,
                                             Transfer& transfer) {
    if (request.method == "HEAD") {
      curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
      return {};
    }
    if (request.method != "GET") {
      curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    if (!has_body(request)) return {};
    // Upload mode with a known size sends Content-Length and never chunked
    // transfer encoding (registries and S3-style endpoints reject chunked).
    std::uint64_t size = 0;
    if (request.stream) {
      if (!request.stream->read) {
        return util::fail(util::ErrorKind::kInternal, "streamed request body has no reader");
      }
      size = request.stream->size;
    } else {
      transfer.upload_body = request.body;
      size = request.body.size();
    }
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    if (request.stream) curl_easy_setopt(curl, CURLOPT_UPLOAD_BUFFERSIZE, static_cast<long>(kStreamBufferBytes));
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
    return {};
  }

  ClientOptions options_;
  HeaderList connect_to_;  // outlives handle_, which points at it
  EasyHandle handle_;
};

}  // namespace

std::unique_ptr<HttpClient> make_curl_client(ClientOptions options) {
  TraceSink trace = std::move(options.trace);
  std::unique_ptr<HttpClient> client = std::make_unique<CurlClient>(std::move(options));
  if (trace) client = std::make_unique<TracingClient>(std::move(client), std::move(trace));
  return client;
}

}  // namespace eem::net
