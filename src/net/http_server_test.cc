// HttpServer against the repo's real client transport (libcurl), on kernel-chosen loopback ports.
#include "net/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "net/curl_transport.h"

namespace glueguard {
namespace {

std::string Url(const HttpServer& server, const std::string& path_and_query) {
  return "http://127.0.0.1:" + std::to_string(server.port()) + path_and_query;
}

HttpRequest Post(const HttpServer& server, const std::string& path_and_query, std::string body) {
  HttpRequest request;
  request.method = "POST";
  request.url = Url(server, path_and_query);
  request.body = std::move(body);
  return request;
}

ServerResponse Ok(std::string body) { return ServerResponse{200, "text/plain", {}, std::move(body)}; }

TEST(HttpServer, RoundTripsMethodRawPathQueryHeadersAndBody) {
  std::mutex mu;
  std::vector<ServerRequest> seen;
  auto server = HttpServer::Start({}, [&](const ServerRequest& r) {
    std::lock_guard lock(mu);
    seen.push_back(r);
    ServerResponse response{201, "text/xml", {{"x-amzn-RequestId", "rid-7"}}, "<ok>" + r.body + "</ok>"};
    return response;
  });
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  CurlTransport transport;
  HttpRequest request = Post(**server, "/123456789012/a%2Fb?x=1&y=a%20b+c", "Action=Send&Body=x%26y");
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"X-Amz-Target", "AWSGlue.GetJob"}};
  Result<HttpResponse> response = transport.Send(request);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(response->body, "<ok>Action=Send&Body=x%26y</ok>");
  ASSERT_NE(FindHeader(response->headers, "X-Amzn-RequestId"), nullptr);
  EXPECT_EQ(*FindHeader(response->headers, "x-amzn-requestid"), "rid-7");
  ASSERT_NE(FindHeader(response->headers, "Content-Type"), nullptr);
  EXPECT_EQ(*FindHeader(response->headers, "Content-Type"), "text/xml");

  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 1u);
  const ServerRequest& r = seen[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/123456789012/a%2Fb");  // as sent, not decoded
  EXPECT_EQ(r.query, "x=1&y=a%20b+c");
  const std::vector<std::pair<std::string, std::string>> params = {{"x", "1"}, {"y", "a b c"}};
  EXPECT_EQ(r.query_params, params);
  ASSERT_NE(r.Header("x-amz-target"), nullptr);
  EXPECT_EQ(*r.Header("X-AMZ-TARGET"), "AWSGlue.GetJob");
  EXPECT_EQ(r.Header("X-Not-Sent"), nullptr);
  EXPECT_EQ(r.body, "Action=Send&Body=x%26y");
  EXPECT_EQ(r.remote_addr, "127.0.0.1");
}

TEST(HttpServer, PortZeroLetsTheKernelPickAndTwoServersRunAtOnce) {
  auto first = HttpServer::Start({}, [](const ServerRequest&) { return Ok("first"); });
  auto second = HttpServer::Start({}, [](const ServerRequest&) { return Ok("second"); });
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_GT((*first)->port(), 0);
  EXPECT_GT((*second)->port(), 0);
  EXPECT_NE((*first)->port(), (*second)->port());
  CurlTransport transport;
  Result<HttpResponse> a = transport.Send(Post(**first, "/", ""));
  Result<HttpResponse> b = transport.Send(Post(**second, "/", ""));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->body, "first");
  EXPECT_EQ(b->body, "second");
}

TEST(HttpServer, BodyOverTheLimitGets413AndNeverReachesTheHandler) {
  std::atomic<int> calls{0};
  ServerOptions options;
  options.max_body_bytes = 100;
  auto server = HttpServer::Start(options, [&](const ServerRequest& r) {
    ++calls;
    return Ok(std::to_string(r.body.size()));
  });
  ASSERT_TRUE(server.ok());
  CurlTransport transport;
  Result<HttpResponse> big = transport.Send(Post(**server, "/", std::string(101, 'x')));
  ASSERT_TRUE(big.ok()) << big.status().ToString();
  EXPECT_EQ(big->status, 413);
  EXPECT_NE(big->body.find("\"code\":\"request_too_large\""), std::string::npos) << big->body;
  EXPECT_EQ(calls.load(), 0);
  Result<HttpResponse> fits = transport.Send(Post(**server, "/", std::string(100, 'x')));
  ASSERT_TRUE(fits.ok());
  EXPECT_EQ(fits->status, 200);
  EXPECT_EQ(fits->body, "100");
  EXPECT_EQ(calls.load(), 1);
}

TEST(HttpServer, HandlerExceptionIsLoggedAndAnswered500AndTheServerKeepsServing) {
  std::mutex mu;
  std::vector<std::string> logged;
  ServerOptions options;
  options.error_log = [&](std::string_view line) {
    std::lock_guard lock(mu);
    logged.emplace_back(line);
  };
  auto server = HttpServer::Start(options, [](const ServerRequest& r) -> ServerResponse {
    if (r.path == "/boom") throw std::runtime_error("kaboom");
    return Ok("fine");
  });
  ASSERT_TRUE(server.ok());
  CurlTransport transport;
  Result<HttpResponse> failed = transport.Send(Post(**server, "/boom", ""));
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->status, 500);
  Result<HttpResponse> next = transport.Send(Post(**server, "/", ""));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "fine");
  std::lock_guard lock(mu);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_NE(logged[0].find("kaboom"), std::string::npos) << logged[0];
  EXPECT_NE(logged[0].find("/boom"), std::string::npos) << logged[0];
}

TEST(HttpServer, DroppedConnectionReachesTheClientAsATransportError) {
  auto server = HttpServer::Start({}, [](const ServerRequest& r) {
    ServerResponse response = Ok(std::string(1000, 'z'));
    response.drop_connection = r.path == "/drop";
    return response;
  });
  ASSERT_TRUE(server.ok());
  CurlTransport transport;
  Result<HttpResponse> dropped = transport.Send(Post(**server, "/drop", ""));
  ASSERT_FALSE(dropped.ok());
  EXPECT_EQ(dropped.status().code(), StatusCode::kUnavailable) << dropped.status().ToString();
  EXPECT_EQ(dropped.status().reason(), "ConnectionError");
  Result<HttpResponse> whole = transport.Send(Post(**server, "/", ""));
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  EXPECT_EQ(whole->body.size(), 1000u);
}

TEST(HttpServer, StopIsIdempotentAndRefusesLaterConnections) {
  auto server = HttpServer::Start({}, [](const ServerRequest&) { return Ok("up"); });
  ASSERT_TRUE(server.ok());
  const std::string url = Url(**server, "/");
  CurlTransport transport;
  Result<HttpResponse> served = transport.Send(Post(**server, "/", ""));
  ASSERT_TRUE(served.ok());
  (*server)->Stop();  // the client's idle keep-alive connection is closed, not waited on
  (*server)->Stop();
  HttpRequest request;
  request.url = url;
  Result<HttpResponse> refused = transport.Send(request);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().reason(), "ConnectionError");
}

TEST(HttpServer, ListenErrorNamesHostAndPort) {
  auto first = HttpServer::Start({}, [](const ServerRequest&) { return Ok(""); });
  ASSERT_TRUE(first.ok());
  ServerOptions taken;
  taken.port = (*first)->port();
  auto second = HttpServer::Start(taken, [](const ServerRequest&) { return Ok(""); });
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("127.0.0.1:" + std::to_string(taken.port)), std::string::npos)
      << second.status().message();

  ServerOptions bad_host;
  bad_host.host = "no-such-host.invalid";
  auto third = HttpServer::Start(bad_host, [](const ServerRequest&) { return Ok(""); });
  ASSERT_FALSE(third.ok());
  EXPECT_NE(third.status().message().find("no-such-host.invalid:0"), std::string::npos)
      << third.status().message();
}

TEST(HttpServer, RejectsOptionsOutOfRange) {
  ServerOptions no_threads;
  no_threads.threads = 0;
  EXPECT_EQ(HttpServer::Start(no_threads, [](const ServerRequest&) { return Ok(""); }).status().code(),
            StatusCode::kInvalidArgument);
  ServerOptions bad_port;
  bad_port.port = 70000;
  EXPECT_EQ(HttpServer::Start(bad_port, [](const ServerRequest&) { return Ok(""); }).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace glueguard
