#pragma once
// A net::HttpClient for unit tests: answers queued responses in order and
// records the requests. A request beyond the queue is a test failure (an
// error answer), never undefined behaviour.

#include <gtest/gtest.h>

#include <deque>
#include <vector>

#include "net/http_client.h"

namespace eem::testing {

class QueuedClient : public net::HttpClient {
 public:
  std::deque<net::Response> responses;
  std::vector<net::Request> requests;

  util::Result<net::Response> send(const net::Request& request) override {
    requests.push_back(request);
    if (responses.empty()) {
      ADD_FAILURE() << "unexpected request " << request.method << " " << request.url;
      return std::unexpected(util::Error{util::ErrorKind::kInternal, "no queued response for " + request.url});
    }
    net::Response response = std::move(responses.front());
    responses.pop_front();
    return response;
  }
};

}  // namespace eem::testing
