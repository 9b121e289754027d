// CurlTransport against a real HTTP server on loopback (cpp-httplib, port chosen by the kernel).
#include "net/curl_transport.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include "testing/loopback_server.h"
#include "testing/process.h"

#include <future>
#include <thread>

namespace glueguard {
namespace {

using testing::LoopbackServer;

TEST(CurlTransport, PostsTheBodyAndHeadersAndReturnsTheResponse) {
  LoopbackServer loopback;
  loopback.server().Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("x-amzn-RequestId", "rid-1");
    res.set_content("got " + req.body + " target=" + req.get_header_value("X-Amz-Target") +
                        " expect=" + req.get_header_value("Expect"),
                    "text/plain");
  });
  CurlTransport transport;
  HttpRequest request;
  request.url = loopback.Url("/echo");
  request.headers = {{"X-Amz-Target", "AWSGlue.GetSession"}, {"Content-Type", "application/x-amz-json-1.1"}};
  request.body = R"({"Id":"x"})";
  Result<HttpResponse> r = transport.Send(request);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"(got {"Id":"x"} target=AWSGlue.GetSession expect=)");
  ASSERT_NE(FindHeader(r->headers, "X-Amzn-RequestId"), nullptr);
  EXPECT_EQ(*FindHeader(r->headers, "x-amzn-requestid"), "rid-1");
}

TEST(CurlTransport, ErrorStatusesAreResponsesNotFailures) {
  LoopbackServer loopback;
  loopback.server().Post("/", [](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_content("<Response/>", "text/xml");
  });
  CurlTransport transport;
  HttpRequest request;
  request.url = loopback.Url("/");
  Result<HttpResponse> r = transport.Send(request);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body, "<Response/>");
}

TEST(CurlTransport, GetAndPutWithAnEmptyBody) {
  LoopbackServer loopback;
  loopback.server().Put("/latest/api/token", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content("token-for-" + req.get_header_value("x-aws-ec2-metadata-token-ttl-seconds"), "text/plain");
  });
  loopback.server().Get("/meta", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content("meta " + req.get_header_value("x-aws-ec2-metadata-token"), "text/plain");
  });
  CurlTransport transport;
  HttpRequest put;
  put.method = "PUT";
  put.url = loopback.Url("/latest/api/token");
  put.headers = {{"x-aws-ec2-metadata-token-ttl-seconds", "21600"}};
  Result<HttpResponse> token = transport.Send(put);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->body, "token-for-21600");
  HttpRequest get;
  get.method = "GET";
  get.url = loopback.Url("/meta");
  get.headers = {{"x-aws-ec2-metadata-token", token->body}};
  EXPECT_EQ(transport.Send(get)->body, "meta token-for-21600");
}

TEST(CurlTransport, ARefusedConnectionIsUnavailable) {
  std::string url;
  {
    LoopbackServer loopback;  // take a free port, then close it
    url = loopback.Url("/");
  }
  CurlTransport transport;
  HttpRequest request;
  request.url = url;
  Result<HttpResponse> r = transport.Send(request);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r.status().reason(), "ConnectionError");
}

TEST(CurlTransport, AServerThatDoesNotAnswerTimesOut) {
  LoopbackServer loopback;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  loopback.server().Post("/", [released](const httplib::Request&, httplib::Response& res) {
    released.wait();  // hold the request until the client has given up
    res.set_content("late", "text/plain");
  });
  CurlTransport transport;
  HttpRequest request;
  request.url = loopback.Url("/");
  request.timeout = std::chrono::milliseconds(200);
  Result<HttpResponse> r = transport.Send(request);
  release.set_value();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(r.status().reason(), "Timeout");
}

TEST(CurlTransport, ReusesItsConnection) {
  LoopbackServer loopback;
  std::mutex mu;
  std::set<std::string> peers;
  loopback.server().Post("/", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    peers.insert(req.remote_addr + ":" + std::to_string(req.remote_port));
    res.set_content("ok", "text/plain");
  });
  CurlTransport transport;
  HttpRequest request;
  request.url = loopback.Url("/");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(transport.Send(request).ok());
  EXPECT_EQ(peers.size(), 1u);  // one client port: the same TCP connection every time
}

// CURL_CA_BUNDLE names the CA file, as for the curl tool: the Lambda package points it at the host's bundle,
// since Debian's libcurl looks where Amazon Linux keeps none. A file that is not there fails the TLS set-up
// naming it (libcurl's default file would not be named). Run in a child: the variable is read once a process.
TEST(CurlTransport, TakesItsCaFileFromCurlCaBundle) {
  testing::LoopbackServer listening;  // any listener: the CA file is loaded before the TLS handshake starts
  const std::string endpoint = "https://127.0.0.1:" + listening.Url().substr(listening.Url().rfind(':') + 1);
  testing::ChildProcess observe(
      {GLUEGUARD_BINARY, "observe", "--subnet", "subnet-1"},
      {"PATH=/usr/bin:/bin", "CURL_CA_BUNDLE=/nonexistent/glueguard-ca.pem", "AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
       "AWS_SECRET_ACCESS_KEY=secret", "AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true",
       "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_MAX_ATTEMPTS=1",
       "AWS_ENDPOINT_URL=" + endpoint});
  ASSERT_TRUE(observe.started());
  EXPECT_NE(observe.Finish(), 0) << observe.output();
  EXPECT_NE(observe.output().find("/nonexistent/glueguard-ca.pem"), std::string::npos) << observe.output();
}

}  // namespace
}  // namespace glueguard
