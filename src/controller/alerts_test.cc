#include "controller/alerts.h"

#include <gtest/gtest.h>

namespace glueguard {
namespace {

SubnetConfig Subnet() {
  SubnetConfig s;
  s.id = "subnet-1";
  s.name = "a";
  s.cidr = *ParseCidr("10.0.0.0/26");  // 59 usable
  return s;
}

Observation At(int total, int minute) {
  Observation o;
  o.subnet_id = "subnet-1";
  o.observed_at = FromUnixMillis(1'767'225'600'000 + minute * 60'000LL);
  o.total_enis = total;
  o.in_use = total;
  return o;
}

TEST(UtilisationAlerts, FiresAtEightyPercentNotAtSeventyNine) {
  UtilisationAlerts alerts;
  const SubnetConfig s = Subnet();
  EXPECT_FALSE(alerts.Evaluate(s, At(46, 0)));                        // 46/59 = 78 %
  std::optional<Notification> fired = alerts.Evaluate(s, At(48, 1));  // 81 %
  ASSERT_TRUE(fired);
  EXPECT_EQ(fired->kind, "alert_firing");
  EXPECT_NE(fired->subject.find("81%"), std::string::npos) << fired->subject;
  EXPECT_NE(fired->message.find("glueguard doctor"), std::string::npos);
  EXPECT_EQ(fired->fields.at("total_enis"), "48");
  ASSERT_EQ(alerts.Firing().size(), 1u);
  EXPECT_EQ(alerts.fired_total(), 1);
}

TEST(UtilisationAlerts, StaysFiringUntilBelowTheClearLevelSoItDoesNotFlap) {
  UtilisationAlerts alerts;
  const SubnetConfig s = Subnet();
  ASSERT_TRUE(alerts.Evaluate(s, At(50, 0)));
  EXPECT_FALSE(alerts.Evaluate(s, At(40, 5)));  // 68 %: still firing, no new notification
  EXPECT_FALSE(alerts.Evaluate(s, At(50, 6)));  // back up: still the same alert
  EXPECT_EQ(alerts.Firing().size(), 1u);
  std::optional<Notification> resolved = alerts.Evaluate(s, At(35, 30));  // 59 %
  ASSERT_TRUE(resolved);
  EXPECT_EQ(resolved->kind, "alert_resolved");
  EXPECT_NE(resolved->message.find("lasted 30m"), std::string::npos) << resolved->message;
  EXPECT_TRUE(alerts.Firing().empty());
  EXPECT_EQ(alerts.fired_total(), 1);
}

TEST(UtilisationAlerts, EachSubnetHasItsOwnThreshold) {
  UtilisationAlerts alerts;
  SubnetConfig strict = Subnet();
  strict.alert_threshold = 0.5;
  strict.alert_clear = 0.3;
  EXPECT_TRUE(alerts.Evaluate(strict, At(30, 0)));  // 51 %
}

}  // namespace
}  // namespace glueguard
