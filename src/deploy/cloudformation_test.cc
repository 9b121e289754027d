// deploy/cloudformation/: both session-boundary templates load with yaml-cpp (CloudFormation's short tags
// included), grant exactly the IAM actions glueguard needs and each on its own resource, encrypt the queues,
// topic and key, match Glue's CreateSession calls, and alarm on the dead-letter queue.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "deploy/deploy_testing.h"

namespace glueguard {
namespace {

using deploy_testing::Source;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAreArray;

constexpr char kQueueTemplate[] = "deploy/cloudformation/glueguard-sessions.yaml";
constexpr char kLambdaTemplate[] = "deploy/cloudformation/glueguard-sessions-lambda.yaml";

YAML::Node LoadTemplate(const char* path) { return YAML::LoadFile(Source(path)); }

// A value as text: "Ref:X" for `!Ref X` (or {Ref: X}), "GetAtt:X.Y" for `!GetAtt X.Y`, "Sub:..." for `!Sub`,
// "If:..." for `!If`, the scalar itself otherwise.
std::string Text(const YAML::Node& node) {
  if (node.IsMap() && node["Ref"]) return "Ref:" + node["Ref"].as<std::string>();
  if (node.Tag() == "!Ref") return "Ref:" + node.as<std::string>();
  if (node.Tag() == "!GetAtt") return "GetAtt:" + node.as<std::string>();
  if (node.Tag() == "!Sub" && node.IsScalar()) return "Sub:" + node.as<std::string>();
  if (node.Tag() == "!If") return "If:" + node[0].as<std::string>();
  if (node.IsScalar()) return node.as<std::string>();
  return "<" + std::string(node.IsSequence() ? "sequence" : "map") + ">";
}

// A scalar or a list, as text; empty for an absent key.
std::vector<std::string> Texts(const YAML::Node& node) {
  std::vector<std::string> out;
  if (!node.IsDefined()) return out;  // an absent key
  if (node.IsSequence()) {
    for (const YAML::Node& item : node) out.push_back(Text(item));
  } else {
    out.push_back(Text(node));
  }
  return out;
}

// Resource names of `type`.
std::vector<std::string> ResourcesOfType(const YAML::Node& tmpl, const std::string& type) {
  std::vector<std::string> names;
  for (const auto& resource : tmpl["Resources"]) {
    if (resource.second["Type"].as<std::string>() == type) names.push_back(resource.first.as<std::string>());
  }
  return names;
}

YAML::Node Properties(const YAML::Node& tmpl, const std::string& name) {
  return tmpl["Resources"][name]["Properties"];
}

// Every statement of every inline policy of every IAM role.
std::vector<YAML::Node> RoleStatements(const YAML::Node& tmpl) {
  std::vector<YAML::Node> statements;
  for (const std::string& role : ResourcesOfType(tmpl, "AWS::IAM::Role")) {
    for (const YAML::Node& policy : Properties(tmpl, role)["Policies"]) {
      for (const YAML::Node& statement : policy["PolicyDocument"]["Statement"])
        statements.push_back(statement);
    }
  }
  return statements;
}

std::vector<std::string> RoleActions(const YAML::Node& tmpl) {
  std::vector<std::string> actions;
  for (const YAML::Node& statement : RoleStatements(tmpl)) {
    EXPECT_EQ(statement["Effect"].as<std::string>(), "Allow");
    for (const std::string& action : Texts(statement["Action"])) actions.push_back(action);
  }
  return actions;
}

// The resources the statements granting `action` name.
std::vector<std::string> ResourcesOf(const YAML::Node& tmpl, const std::string& action) {
  std::vector<std::string> resources;
  for (const YAML::Node& statement : RoleStatements(tmpl)) {
    const std::vector<std::string> actions = Texts(statement["Action"]);
    if (std::find(actions.begin(), actions.end(), action) == actions.end()) continue;
    for (const std::string& resource : Texts(statement["Resource"])) resources.push_back(resource);
  }
  return resources;
}

nlohmann::json ToJson(const YAML::Node& node) {
  if (node.IsSequence()) {
    nlohmann::json out = nlohmann::json::array();
    for (const YAML::Node& item : node) out.push_back(ToJson(item));
    return out;
  }
  if (node.IsMap()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& entry : node) out[entry.first.as<std::string>()] = ToJson(entry.second);
    return out;
  }
  return Text(node);
}

const std::vector<std::string> kGlueActions = {"glue:GetSession", "glue:ListSessions", "glue:StopSession",
                                               "glue:DeleteSession"};

class BothTemplates : public ::testing::TestWithParam<const char*> {};
INSTANTIATE_TEST_SUITE_P(SessionStacks, BothTemplates, ::testing::Values(kQueueTemplate, kLambdaTemplate));

TEST_P(BothTemplates, LoadWithTheirShortTags) {
  const YAML::Node tmpl = LoadTemplate(GetParam());
  EXPECT_EQ(tmpl["AWSTemplateFormatVersion"].as<std::string>(), "2010-09-09");
  EXPECT_EQ(Text(Properties(tmpl, "Topic")["KmsMasterKeyId"]), "Ref:Key");
  EXPECT_EQ(Text(Properties(tmpl, "KeyAlias")["AliasName"]), "Sub:alias/${AWS::StackName}-sessions");
}

TEST_P(BothTemplates, MatchGluesCreateSessionCallsFromCloudTrail) {
  const YAML::Node tmpl = LoadTemplate(GetParam());
  EXPECT_EQ(ToJson(Properties(tmpl, "CreateSessionRule")["EventPattern"]), nlohmann::json::parse(R"({
    "source": ["aws.glue"],
    "detail-type": ["AWS API Call via CloudTrail"],
    "detail": {"eventSource": ["glue.amazonaws.com"], "eventName": ["CreateSession"]}
  })"));
}

TEST_P(BothTemplates, EncryptEveryQueueAndTheTopicWithTheirOwnRotatedKey) {
  const YAML::Node tmpl = LoadTemplate(GetParam());
  ASSERT_THAT(ResourcesOfType(tmpl, "AWS::KMS::Key"), ElementsAre("Key"));
  EXPECT_TRUE(Properties(tmpl, "Key")["EnableKeyRotation"].as<bool>());
  std::vector<std::string> encrypted = ResourcesOfType(tmpl, "AWS::SQS::Queue");
  EXPECT_THAT(encrypted, Contains("DeadLetterQueue"));
  encrypted.push_back("Topic");
  for (const std::string& name : encrypted) {
    EXPECT_EQ(Text(Properties(tmpl, name)["KmsMasterKeyId"]), "Ref:Key") << name;
  }
  // EventBridge may use the key: it encrypts what it sends to the queue.
  bool events_may_encrypt = false;
  for (const YAML::Node& statement : Properties(tmpl, "Key")["KeyPolicy"]["Statement"]) {
    if (Texts(statement["Principal"]["Service"]) != std::vector<std::string>{"events.amazonaws.com"})
      continue;
    EXPECT_THAT(Texts(statement["Action"]),
                UnorderedElementsAreArray({"kms:Decrypt", "kms:GenerateDataKey"}));
    events_may_encrypt = true;
  }
  EXPECT_TRUE(events_may_encrypt);
}

TEST_P(BothTemplates, ScopeEachGrantToItsOwnResource) {
  const YAML::Node tmpl = LoadTemplate(GetParam());
  EXPECT_THAT(ResourcesOf(tmpl, "sqs:SendMessage"), ElementsAre("GetAtt:DeadLetterQueue.Arn"));
  EXPECT_THAT(ResourcesOf(tmpl, "sns:Publish"), ElementsAre("Ref:Topic"));
  EXPECT_THAT(ResourcesOf(tmpl, "kms:Decrypt"), ElementsAre("GetAtt:Key.Arn"));
  EXPECT_THAT(ResourcesOf(tmpl, "kms:GenerateDataKey"), ElementsAre("GetAtt:Key.Arn"));
  EXPECT_THAT(ResourcesOf(tmpl, "glue:StopSession"),
              ElementsAre("Sub:arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:session/*"));
  // Only ListSessions, which takes no resource, is granted on "*".
  for (const YAML::Node& statement : RoleStatements(tmpl)) {
    if (Texts(statement["Resource"]) == std::vector<std::string>{"*"}) {
      EXPECT_THAT(Texts(statement["Action"]), ElementsAre("glue:ListSessions"));
    }
  }
}

TEST_P(BothTemplates, TakeThePolicyActionAndANotificationEmail) {
  const YAML::Node tmpl = LoadTemplate(GetParam());
  EXPECT_THAT(Texts(tmpl["Parameters"]["PolicyAction"]["AllowedValues"]), ElementsAre("report", "enforce"));
  EXPECT_EQ(Text(tmpl["Parameters"]["PolicyAction"]["Default"]), "report");
  ASSERT_TRUE(tmpl["Parameters"]["NotificationEmail"]);
  EXPECT_EQ(Text(Properties(tmpl, "EmailSubscription")["Endpoint"]), "Ref:NotificationEmail");
  EXPECT_EQ(Text(Properties(tmpl, "EmailSubscription")["Protocol"]), "email");
}

TEST_P(BothTemplates, AlarmOnTheDeadLetterQueueToTheTopic) {
  const YAML::Node tmpl = LoadTemplate(GetParam());
  std::set<std::string> metrics;
  for (const std::string& name : ResourcesOfType(tmpl, "AWS::CloudWatch::Alarm")) {
    const YAML::Node alarm = Properties(tmpl, name);
    EXPECT_THAT(Texts(alarm["AlarmActions"]), ElementsAre("Ref:Topic")) << name;
    if (Text(alarm["Namespace"]) != "AWS/SQS") continue;
    metrics.insert(Text(alarm["MetricName"]));
    if (Text(alarm["MetricName"]) == "ApproximateNumberOfMessagesVisible") {
      EXPECT_EQ(Text(alarm["Dimensions"][0]["Value"]), "GetAtt:DeadLetterQueue.QueueName");
      EXPECT_EQ(Text(alarm["ComparisonOperator"]), "GreaterThanThreshold");
      EXPECT_EQ(alarm["Threshold"].as<double>(), 0);
    }
  }
  EXPECT_THAT(metrics, UnorderedElementsAreArray(
                           {"ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"}));
}

TEST(QueueStack, GrantsGlueguardExactlyWhatItNeeds) {
  const YAML::Node tmpl = LoadTemplate(kQueueTemplate);
  std::vector<std::string> expected = kGlueActions;
  for (const char* action :
       {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes",
        "sqs:SendMessage", "sns:Publish", "kms:Decrypt", "kms:GenerateDataKey"}) {
    expected.push_back(action);
  }
  EXPECT_THAT(RoleActions(tmpl), UnorderedElementsAreArray(expected));
  EXPECT_THAT(ResourcesOf(tmpl, "sqs:ReceiveMessage"),
              UnorderedElementsAreArray({"GetAtt:Queue.Arn", "GetAtt:DeadLetterQueue.Arn"}));
}

// The exact-list check fails on one action too many.
TEST(QueueStack, AnExtraActionBreaksTheExactList) {
  YAML::Node tmpl = LoadTemplate(kQueueTemplate);
  YAML::Node statement =
      tmpl["Resources"]["GlueguardRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0];
  statement["Action"].push_back("iam:PassRole");
  EXPECT_THAT(RoleActions(tmpl), Contains("iam:PassRole"));
  EXPECT_EQ(RoleActions(tmpl).size(), 13u);
}

TEST(QueueStack, TheRuleFeedsTheQueueWhichOnlyItMaySendToAndWhichRedrivesToTheDeadLetterQueue) {
  const YAML::Node tmpl = LoadTemplate(kQueueTemplate);
  const YAML::Node target = Properties(tmpl, "CreateSessionRule")["Targets"][0];
  EXPECT_EQ(Text(target["Arn"]), "GetAtt:Queue.Arn");
  EXPECT_FALSE(target["RoleArn"]) << "SQS targets use the queue policy; a role breaks encrypted delivery";
  const YAML::Node policy = Properties(tmpl, "QueuePolicy");
  EXPECT_THAT(Texts(policy["Queues"]), ElementsAre("Ref:Queue"));
  const YAML::Node statement = policy["PolicyDocument"]["Statement"][0];
  EXPECT_EQ(Text(statement["Principal"]["Service"]), "events.amazonaws.com");
  EXPECT_EQ(Text(statement["Action"]), "sqs:SendMessage");
  EXPECT_EQ(Text(statement["Condition"]["ArnEquals"]["aws:SourceArn"]), "GetAtt:CreateSessionRule.Arn");
  const YAML::Node redrive = Properties(tmpl, "Queue")["RedrivePolicy"];
  EXPECT_EQ(Text(redrive["deadLetterTargetArn"]), "GetAtt:DeadLetterQueue.Arn");
  EXPECT_EQ(Text(redrive["maxReceiveCount"]), "Ref:MaxReceiveCount");
}

TEST(LambdaStack, GrantsTheFunctionExactlyWhatItNeedsAndItsLogs) {
  const YAML::Node tmpl = LoadTemplate(kLambdaTemplate);
  std::vector<std::string> expected = kGlueActions;
  for (const char* action : {"sqs:SendMessage", "sns:Publish", "kms:Decrypt", "kms:GenerateDataKey",
                             "logs:CreateLogStream", "logs:PutLogEvents"}) {
    expected.push_back(action);
  }
  EXPECT_THAT(RoleActions(tmpl), UnorderedElementsAreArray(expected));
  EXPECT_THAT(ResourcesOf(tmpl, "logs:PutLogEvents"), ElementsAre("GetAtt:LogGroup.Arn"));
}

TEST(LambdaStack, RunsTheBinaryAsBootstrapOnACustomRuntime) {
  const YAML::Node tmpl = LoadTemplate(kLambdaTemplate);
  const YAML::Node function = Properties(tmpl, "Function");
  EXPECT_EQ(Text(function["Runtime"]), "provided.al2023");
  EXPECT_EQ(Text(function["Handler"]), "bootstrap");
  EXPECT_EQ(Text(function["Code"]["S3Bucket"]), "Ref:CodeS3Bucket");
  EXPECT_EQ(Text(function["Code"]["S3Key"]), "Ref:CodeS3Key");
  EXPECT_EQ(Text(function["Role"]), "GetAtt:FunctionRole.Arn");
  EXPECT_EQ(Text(function["DeadLetterConfig"]["TargetArn"]), "GetAtt:DeadLetterQueue.Arn");
  EXPECT_EQ(Text(function["Environment"]["Variables"]["KILL_SESSION"]), "If:Enforce");
  EXPECT_EQ(Text(function["Environment"]["Variables"]["GLUEGUARD_SNS_TOPIC_ARN"]), "Ref:Topic");
}

TEST(LambdaStack, TheRuleInvokesTheFunctionWithRetriesAndADeadLetterQueue) {
  const YAML::Node tmpl = LoadTemplate(kLambdaTemplate);
  const YAML::Node target = Properties(tmpl, "CreateSessionRule")["Targets"][0];
  EXPECT_EQ(Text(target["Arn"]), "GetAtt:Function.Arn");
  EXPECT_GT(target["RetryPolicy"]["MaximumRetryAttempts"].as<int>(), 0);
  EXPECT_GE(target["RetryPolicy"]["MaximumEventAgeInSeconds"].as<int>(), 60);
  EXPECT_EQ(Text(target["DeadLetterConfig"]["Arn"]), "GetAtt:DeadLetterQueue.Arn");
  const YAML::Node permission = Properties(tmpl, "InvokePermission");
  EXPECT_EQ(Text(permission["Principal"]), "events.amazonaws.com");
  EXPECT_EQ(Text(permission["Action"]), "lambda:InvokeFunction");
  EXPECT_EQ(Text(permission["SourceArn"]), "GetAtt:CreateSessionRule.Arn");
  const YAML::Node dlq_policy = Properties(tmpl, "DeadLetterQueuePolicy")["PolicyDocument"]["Statement"][0];
  EXPECT_EQ(Text(dlq_policy["Condition"]["ArnEquals"]["aws:SourceArn"]), "GetAtt:CreateSessionRule.Arn");
}

}  // namespace
}  // namespace glueguard
