#pragma once
// Private to src/server: the one place that includes Boost.Asio and Beast.
// Boost 1.74's Asio uses std::exchange without including <utility>, which
// g++ 12 in C++23 mode needs included first (DESIGN.md section 4).

#include <utility>

// Failed Boost assertions in developer builds go to boost_assert.cpp, which
// lets one known false assertion in Beast 1.74 pass; release builds (NDEBUG)
// still compile them out.
#ifndef BOOST_ENABLE_ASSERT_DEBUG_HANDLER
#define BOOST_ENABLE_ASSERT_DEBUG_HANDLER
#endif

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

namespace eem::server {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
}  // namespace eem::server
