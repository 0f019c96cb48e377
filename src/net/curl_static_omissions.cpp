// Stand-ins for three libraries Debian's libcurl.a is built against that the
// static shipctl (EEM_STATIC_SHIPCTL, cmake/StaticShipctl.cmake) does not link:
// - GSS-API (Kerberos): MIT krb5 ships no static archive in Debian 12;
// - OpenLDAP and librtmp: both bring GnuTLS, whose libgnutls.a needs p11-kit,
//   which ships no static archive either.
// They serve protocols and authentication schemes shipctl never enables:
// curl_client.cpp limits CURLOPT_PROTOCOLS_STR to "http,https", never sets
// CURLOPT_HTTPAUTH to Negotiate. So the LDAP and RTMP functions are
// unreachable: reaching one is a bug, and it aborts naming the function rather
// than misbehaving. The GSS-API functions fail as an absent mechanism would
// (GSS_S_FAILURE; a SOCKS5 proxy that asks for GSS-API gets that error), and
// ldap_get_option, which curl_version() calls for the LDAP library's version,
// reports an error (LDAP_OPT_ERROR), which libcurl tolerates there.
//
// Linkage is by name (extern "C"); each stand-in declares only the leading
// parameters it touches, which every C calling convention allows.

#include <cstdio>
#include <cstdlib>

namespace {

[[noreturn]] void unreachable(const char* function) {
  std::fprintf(stderr,
               "shipctl: internal error: libcurl called %s, which the static build leaves "
               "out (only http and https are enabled); please report this\n",
               function);
  std::abort();
}

// GSS_S_FAILURE: routine error 13 in the major status's bits 16-23 (RFC 2744
// section 3.9.1).
constexpr unsigned kGssFailure = 13U << 16U;

unsigned gss_fail(unsigned* minor) {
  if (minor != nullptr) *minor = 0;
  return kGssFailure;
}

}  // namespace

#define EEM_UNREACHABLE(name) \
  extern "C" int name() { unreachable(#name); }
#define EEM_GSS_FAILS(name) \
  extern "C" unsigned name(unsigned* minor) { return gss_fail(minor); }

extern "C" {
// gss_OID_desc* in gssapi.h; never dereferenced, since every GSS call fails.
void* GSS_C_NT_HOSTBASED_SERVICE = nullptr;
// LDAP_OPT_ERROR (ldap.h).
int ldap_get_option(void*, int, void*) { return -1; }
}

EEM_GSS_FAILS(gss_delete_sec_context)
EEM_GSS_FAILS(gss_display_name)
EEM_GSS_FAILS(gss_display_status)
EEM_GSS_FAILS(gss_import_name)
EEM_GSS_FAILS(gss_init_sec_context)
EEM_GSS_FAILS(gss_inquire_context)
EEM_GSS_FAILS(gss_release_buffer)
EEM_GSS_FAILS(gss_release_name)
EEM_GSS_FAILS(gss_unwrap)
EEM_GSS_FAILS(gss_wrap)

EEM_UNREACHABLE(ber_bvfree)
EEM_UNREACHABLE(ber_free)
EEM_UNREACHABLE(ber_memfree)
EEM_UNREACHABLE(ber_memvfree)
EEM_UNREACHABLE(ber_sockbuf_add_io)
EEM_UNREACHABLE(ldap_abandon_ext)
EEM_UNREACHABLE(ldap_err2string)
EEM_UNREACHABLE(ldap_free_urldesc)
EEM_UNREACHABLE(ldap_get_attribute_ber)
EEM_UNREACHABLE(ldap_get_dn_ber)
EEM_UNREACHABLE(ldap_init_fd)
EEM_UNREACHABLE(ldap_memfree)
EEM_UNREACHABLE(ldap_msgfree)
EEM_UNREACHABLE(ldap_msgtype)
EEM_UNREACHABLE(ldap_parse_result)
EEM_UNREACHABLE(ldap_parse_sasl_bind_result)
EEM_UNREACHABLE(ldap_pvt_url_scheme2proto)
EEM_UNREACHABLE(ldap_result)
EEM_UNREACHABLE(ldap_sasl_bind)
EEM_UNREACHABLE(ldap_search_ext)
EEM_UNREACHABLE(ldap_set_option)
EEM_UNREACHABLE(ldap_start_tls)
EEM_UNREACHABLE(ldap_unbind_ext)
EEM_UNREACHABLE(ldap_url_parse)

EEM_UNREACHABLE(RTMP_Alloc)
EEM_UNREACHABLE(RTMP_Close)
EEM_UNREACHABLE(RTMP_Connect1)
EEM_UNREACHABLE(RTMP_ConnectStream)
EEM_UNREACHABLE(RTMP_Free)
EEM_UNREACHABLE(RTMP_Init)
EEM_UNREACHABLE(RTMP_Read)
EEM_UNREACHABLE(RTMP_SetBufferMS)
EEM_UNREACHABLE(RTMP_SetupURL)
EEM_UNREACHABLE(RTMP_Write)
