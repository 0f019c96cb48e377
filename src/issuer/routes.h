#pragma once
// The issuer's HTTP API, on server::Router:
//   GET /.well-known/openid-configuration  discovery document
//   GET /.well-known/jwks                  the signing key set
//   GET /token?audience=AUD                the Actions ID token endpoint:
//       needs "Authorization: Bearer <request token>" (the job's
//       ACTIONS_ID_TOKEN_REQUEST_TOKEN) and answers {"value": "<JWT>"}.
// The runner's real endpoint is an Azure DevOps-style service; its refusals
// are VSS error objects (TF400813), imitated here.

#include <string>

#include "issuer/token_issuer.h"
#include "server/router.h"

namespace eem::issuer {

// Routes serving `issuer`; tokens are minted only for `request_token`.
// `issuer` must outlive the router.
server::Router make_router(const TokenIssuer& issuer, std::string request_token);

}  // namespace eem::issuer
