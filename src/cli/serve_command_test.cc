// `glueguard serve` as a process: it serves, and SIGTERM stops it cleanly.
#include <gtest/gtest.h>
#include <signal.h>

#include <string>

#include "net/curl_transport.h"
#include "testing/process.h"
#include "testing/temp_dir.h"

namespace glueguard {
namespace {

TEST(ServeCommand, ServesItsApiAndStopsCleanlyOnSigterm) {
  testing::TempDir dir;
  // No AWS endpoint answers (port 9 on loopback refuses): the API must still serve and stop cleanly.
  testing::ChildProcess serve(
      {GLUEGUARD_BINARY, "serve", "--config", std::string(GLUEGUARD_SOURCE_DIR) + "/examples/glueguard.yaml",
       "--listen", "127.0.0.1:0"},
      {"PATH=/usr/bin:/bin", "GLUEGUARD_STORE_PATH=" + dir.File("serve.db"), "AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
       "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "AWS_REGION=us-east-1",
       "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true",
       "AWS_MAX_ATTEMPTS=1", "AWS_ENDPOINT_URL=http://127.0.0.1:9"});
  ASSERT_TRUE(serve.started());
  const std::string url = testing::ReadServeUrl(serve);
  ASSERT_FALSE(url.empty()) << serve.output();
  CurlTransport transport;
  HttpRequest health;
  health.method = "GET";
  health.url = url + "/healthz";
  Result<HttpResponse> r = transport.Send(health);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  HttpRequest ready = health;
  ready.url = url + "/readyz";
  EXPECT_EQ(transport.Send(ready)->status, 503);  // nothing observed: AWS is unreachable

  // The example configuration has session boundaries: events are taken, and a bad one is refused (with no
  // token, not kept: see serve_hardening_test.cc).
  HttpRequest event;
  event.method = "POST";
  event.url = url + "/v1/events";
  event.headers = {{"Content-Type", "application/json"}};
  event.body = "{\"detail\": ";
  Result<HttpResponse> refused = transport.Send(event);
  ASSERT_TRUE(refused.ok()) << refused.status().ToString();
  EXPECT_EQ(refused->status, 400) << refused->body;
  EXPECT_NE(refused->body.find("invalid_event"), std::string::npos) << refused->body;
  HttpRequest summary = health;
  summary.url = url + "/v1/summary";
  Result<HttpResponse> summarised = transport.Send(summary);
  ASSERT_TRUE(summarised.ok());
  EXPECT_NE(summarised->body.find("\"dead_letters\":0"), std::string::npos) << summarised->body;

  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Finish(), 0) << serve.output();
  EXPECT_NE(serve.output().find("stopped on SIGTERM"), std::string::npos) << serve.output();
}

}  // namespace
}  // namespace glueguard
