// deploy/cloudformation/: both session-boundary templates load with yaml-cpp (CloudFormation's short tags
// included), grant exactly the IAM actions glueguard needs and each on its own resource, encrypt the queues,
// topic and key, match Glue's CreateSession calls, and alarm on the dead-letter queue.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>

#include "deploy/deploy_testing.h"
#include "store/dynamodb_store.h"
#include "testing/dynalite.h"

namespace glueguard {
namespace {

using deploy_testing::Source;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAreArray;

constexpr char kQueueTemplate[] = "deploy/cloudformation/glueguard-sessions.yaml";
constexpr char kLambdaTemplate[] = "deploy/cloudformation/glueguard-sessions-lambda.yaml";
constexpr char kStoreTemplate[] = "deploy/cloudformation/glueguard-store.yaml";
constexpr char kEcsTemplate[] = "deploy/cloudformation/glueguard-controller-ecs.yaml";

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

// The store's tables, made on dynalite exactly as the template declares them, are what `store check` expects
// (dynalite has no TTL: that is the only problem it may report).
TEST(StoreStack, TablesAreWhatTheStoreChecksForOnDemandWithTtl) {
  const YAML::Node tmpl = LoadTemplate(kStoreTemplate);
  std::string error;
  testing::Dynalite* dynalite = testing::Dynalite::Shared(error);
  ASSERT_NE(dynalite, nullptr) << error;
  const DynamoDbTableNames names = dynalite->FreshTables();
  const std::map<std::string, std::string> resource_to_name = {{"ObservationsTable", names.observations},
                                                               {"StateTable", names.state},
                                                               {"DecisionsTable", names.decisions},
                                                               {"SessionsTable", names.sessions},
                                                               {"QueueTable", names.queue}};
  EXPECT_THAT(ResourcesOfType(tmpl, "AWS::DynamoDB::Table"),
              UnorderedElementsAreArray(
                  {"ObservationsTable", "StateTable", "DecisionsTable", "SessionsTable", "QueueTable"}));
  for (const auto& [resource, name] : resource_to_name) {
    const YAML::Node table = Properties(tmpl, resource);
    EXPECT_EQ(Text(table["BillingMode"]), "PAY_PER_REQUEST") << resource;
    std::map<std::string, std::string> types;
    for (const YAML::Node& a : table["AttributeDefinitions"])
      types[Text(a["AttributeName"])] = Text(a["AttributeType"]);
    CreateTableRequest create{.table_name = name};
    for (const YAML::Node& key : table["KeySchema"]) {
      const KeyAttribute attribute{Text(key["AttributeName"]), types[Text(key["AttributeName"])]};
      if (Text(key["KeyType"]) == "HASH") {
        create.partition_key = attribute;
      } else {
        create.sort_key = attribute;
      }
    }
    ASSERT_TRUE(dynalite->client().CreateTable(create).ok()) << resource;
    EXPECT_EQ(Text(table["TimeToLiveSpecification"]["AttributeName"]), "expires_at") << resource;
    EXPECT_TRUE(table["TimeToLiveSpecification"]["Enabled"].as<bool>()) << resource;
  }
  Result<std::vector<std::string>> problems = CheckDynamoDbTables(dynalite->client(), names);
  ASSERT_TRUE(problems.ok()) << problems.status().ToString();
  EXPECT_THAT(*problems, ::testing::Each(::testing::HasSubstr("has TTL DISABLED")));
  EXPECT_EQ(problems->size(), 5u);
}

// The policy allows the calls the store makes, on its five tables, and nothing else (no CreateTable: the
// template makes the tables, so `store init` is not needed where it is deployed).
TEST(StoreStack, ThePolicyAllowsOnlyTheStoresCallsOnItsTables) {
  const YAML::Node tmpl = LoadTemplate(kStoreTemplate);
  const YAML::Node statements = Properties(tmpl, "StorePolicy")["PolicyDocument"]["Statement"];
  ASSERT_EQ(statements.size(), 1u);
  EXPECT_EQ(Text(statements[0]["Effect"]), "Allow");
  EXPECT_THAT(Texts(statements[0]["Action"]),
              UnorderedElementsAreArray({"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                                         "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:Scan",
                                         "dynamodb:DescribeTable", "dynamodb:DescribeTimeToLive"}));
  EXPECT_THAT(Texts(statements[0]["Resource"]),
              UnorderedElementsAreArray({"GetAtt:ObservationsTable.Arn", "GetAtt:StateTable.Arn",
                                         "GetAtt:DecisionsTable.Arn", "GetAtt:SessionsTable.Arn",
                                         "GetAtt:QueueTable.Arn"}));
}

// The controller on ECS: two or more tasks, a rolling deploy that never drops below the desired count, the
// load balancer internal and checking /healthz, the tasks reached only through it, and a task role that can
// do what serve does and no more.
TEST(ControllerOnEcs, RunsTwoOrMoreTasksBehindAnInternalLoadBalancerAndDeploysWithoutAGap) {
  const YAML::Node tmpl = LoadTemplate(kEcsTemplate);
  EXPECT_GE(tmpl["Parameters"]["DesiredCount"]["MinValue"].as<int>(), 2);
  const YAML::Node service = Properties(tmpl, "Service");
  EXPECT_EQ(Text(service["DesiredCount"]), "Ref:DesiredCount");
  EXPECT_EQ(Text(service["LaunchType"]), "FARGATE");
  EXPECT_EQ(service["DeploymentConfiguration"]["MinimumHealthyPercent"].as<int>(), 100);
  EXPECT_GE(service["DeploymentConfiguration"]["MaximumPercent"].as<int>(), 200);
  EXPECT_EQ(Text(service["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"]), "DISABLED");
  EXPECT_EQ(Text(Properties(tmpl, "LoadBalancer")["Scheme"]), "internal");
  EXPECT_EQ(Text(Properties(tmpl, "TargetGroup")["HealthCheckPath"]), "/healthz");
  const YAML::Node ingress = Properties(tmpl, "TaskSecurityGroup")["SecurityGroupIngress"];
  ASSERT_EQ(ingress.size(), 1u);
  EXPECT_EQ(Text(ingress[0]["SourceSecurityGroupId"]), "Ref:LoadBalancerSecurityGroup");
  const YAML::Node container = Properties(tmpl, "TaskDefinition")["ContainerDefinitions"][0];
  EXPECT_THAT(Texts(container["Command"]),
              ElementsAre("serve", "--config", "Ref:ConfigPath", "--listen", "0.0.0.0:8080"));
  EXPECT_EQ(Text(container["Secrets"][0]["Name"]), "GLUEGUARD_API_TOKEN");
  EXPECT_EQ(container["PortMappings"][0]["ContainerPort"].as<int>(), 8080);
}

TEST(ControllerOnEcs, TheTaskRoleObservesSubnetsUsesTheStoreAndNotifiesAndNothingElse) {
  const YAML::Node tmpl = LoadTemplate(kEcsTemplate);
  const YAML::Node role = Properties(tmpl, "TaskRole");
  EXPECT_THAT(Texts(role["ManagedPolicyArns"]), ElementsAre("Ref:StorePolicyArn"));
  EXPECT_EQ(Text(role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"]),
            "ecs-tasks.amazonaws.com");
  const YAML::Node statements = role["Policies"][0]["PolicyDocument"]["Statement"];
  ASSERT_EQ(statements.size(), 2u);
  EXPECT_THAT(Texts(statements[0]["Action"]),
              UnorderedElementsAreArray({"ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"}));
  // The SNS statement is there only with an alert topic, and only for that topic.
  EXPECT_EQ(Text(statements[1]), "If:HasAlertTopic");
  const YAML::Node notify = statements[1][1];
  EXPECT_EQ(Text(notify["Action"]), "sns:Publish");
  EXPECT_EQ(Text(notify["Resource"]), "Ref:AlertTopicArn");
}

}  // namespace
}  // namespace glueguard
