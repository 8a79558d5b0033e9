// Copyright 2026 The warden Authors. Licensed under the Apache License, Version 2.0.
//
// One HTTP/1.1 request to 127.0.0.1 for tests (Boost.Beast, synchronous, 30 s at most).

#ifndef WARDEN_TESTS_COMMON_HTTP_STATUS_H_
#define WARDEN_TESTS_COMMON_HTTP_STATUS_H_

#include <chrono>
#include <exception>
#include <string>
#include <utility>

#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"

namespace warden::test {

// The status code and body of one exchange; status 0 if the exchange failed.
struct HttpReply {
  int status = 0;
  std::string body;
};

// `method target` on 127.0.0.1:`port`.
inline HttpReply HttpExchange(int port, const std::string& method, const std::string& target,
                              const std::string& body = "") {
  namespace beast = boost::beast;
  namespace http = beast::http;
  try {
    boost::asio::io_context io;
    boost::asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(resolver.resolve("127.0.0.1", std::to_string(port)));
    http::request<http::string_body> request(http::string_to_verb(method), target, 11);
    request.set(http::field::host, "127.0.0.1");
    if (!body.empty()) {
      request.set(http::field::content_type, "application/json");
      request.body() = body;
      request.prepare_payload();
    }
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    return HttpReply{static_cast<int>(response.result_int()), std::move(response.body())};
  } catch (const std::exception&) {
    return HttpReply{};
  }
}

// The status code of `method target` on 127.0.0.1:`port`, 0 if the exchange failed.
inline int HttpStatus(int port, const std::string& method, const std::string& target,
                      const std::string& body = "") {
  return HttpExchange(port, method, target, body).status;
}

}  // namespace warden::test

#endif  // WARDEN_TESTS_COMMON_HTTP_STATUS_H_
