// deploy/airflow/dags/: the example DAGs, read with Debian's python3 (Airflow itself cannot be installed
// here). The pattern that tells an IP-exhaustion failure lives once, in glueguard_launch.py, and knows every
// wording; each DAG parses and takes it from there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "deploy/deploy_testing.h"
#include "sim/world.h"

namespace glueguard {
namespace {

using deploy_testing::RunTool;
using deploy_testing::Source;
using deploy_testing::ToolRun;

constexpr char kPython[] = "/usr/bin/python3";
const char* const kDags[] = {"deploy/airflow/dags/glue_with_bash_sensor.py",
                             "deploy/airflow/dags/glue_with_http_sensor.py"};

class AirflowDags : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kPython)) GTEST_SKIP() << "python3 missing (apt-get install python3)";
  }
  // Runs `script` with the DAGs folder on sys.path (as Airflow has it) and `args` as sys.argv[1:].
  static ToolRun Python(const std::string& script, const std::vector<std::string>& args = {}) {
    std::vector<std::string> argv = {
        kPython, "-c",
        "import sys; sys.path.insert(0, " + Quoted(Source("deploy/airflow/dags")) + ")\n" + script};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunTool(argv);
  }
  static std::string Quoted(const std::string& text) { return "r'" + text + "'"; }
};

// The bug: Glue's own wording, "Number of IP addresses on subnet is 0", was not recognised, so finish_launch
// never reported that failure and the subnet never cooled off.
TEST_F(AirflowDags, IpExhaustionIsRecognisedInEveryWordingAndNothingElse) {
  const std::vector<std::string> exhausted = {
      "Number of IP addresses on subnet is 0: subnet-0a1b2c3d4e5f60001 (Error Code: InvalidInputException)",
      "An error occurred while calling o103.pyWriteDynamicFrame. Failed to provision ENIs: "
      "InsufficientFreeAddressesInSubnet: The specified subnet does not have enough free addresses to "
      "satisfy "
      "the request.",
      "The specified subnet does not have enough free IP addresses to satisfy the request.",
      "InsufficientFreeAddressesInSubnet",
      kSubnetExhaustedMessage,  // what simcloud's Glue reports, so the demo's failures are reported too
  };
  const std::vector<std::string> not_exhausted = {
      "",
      "Command failed with exit code 1",
      "Number of IP addresses on subnet is 10: subnet-0a1b2c3d4e5f60001",
      "ConcurrentRunsExceededException: Concurrent runs exceeded for product-metrics",
  };
  std::vector<std::string> args = exhausted;
  args.insert(args.end(), not_exhausted.begin(), not_exhausted.end());
  const ToolRun run = Python(
      "from glueguard_launch import looks_like_ip_exhaustion\n"
      "print(looks_like_ip_exhaustion(None))\n"
      "for message in sys.argv[1:]: print(looks_like_ip_exhaustion(message))\n",
      args);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  std::string expected = "False\n";
  for (size_t i = 0; i < exhausted.size(); ++i) expected += "True\n";
  for (size_t i = 0; i < not_exhausted.size(); ++i) expected += "False\n";
  EXPECT_EQ(run.output, expected);
}

TEST_F(AirflowDags, EachDagParsesAndTakesThePatternFromTheSharedModule) {
  for (const char* dag : kDags) {
    const ToolRun run = Python(
        "import ast\n"
        "tree = ast.parse(open(sys.argv[1]).read(), sys.argv[1])\n"
        "shared = [a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "
        "'glueguard_launch' for a in n.names]\n"
        "compiles = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == 'compile']\n"
        "print('shared', ' '.join(shared))\n"
        "print('own patterns', len(compiles))\n",
        {Source(dag)});
    ASSERT_EQ(run.exit_code, 0) << dag << ": " << run.output;
    EXPECT_THAT(run.output, ::testing::HasSubstr("shared looks_like_ip_exhaustion")) << dag;
    EXPECT_THAT(run.output, ::testing::HasSubstr("own patterns 0\n")) << dag;
  }
}

TEST_F(AirflowDags, TheSharedModuleIsKeptOutOfDagParsing) {
  const ToolRun run = Python(
      "import re\n"
      "lines = [l for l in open(sys.argv[1]).read().splitlines() if l.strip() and not l.startswith('#')]\n"
      "print(any(re.search(l, 'glueguard_launch.py') for l in lines))\n"
      "print(any(re.search(l, name) for l in lines for name in sys.argv[2:]))\n",
      {Source("deploy/airflow/dags/.airflowignore"), "glue_with_bash_sensor.py", "glue_with_http_sensor.py"});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, "True\nFalse\n");
}

TEST_F(AirflowDags, WhereSupportedPassesOnlyTheArgumentsAnOperatorNames) {
  const ToolRun run = Python(
      "import functools\n"
      "from glueguard_launch import where_supported\n"
      "def wrapped(init):\n"  // as Airflow's operator metaclass wraps __init__
      "    @functools.wraps(init)\n"
      "    def apply_defaults(self, *args, **kwargs): return init(self, *args, **kwargs)\n"
      "    return apply_defaults\n"
      "class BaseOperator:\n"
      "    @wrapped\n"
      "    def __init__(self, *, task_id, retries=0, **kwargs): pass\n"
      "class NewGlueJobOperator(BaseOperator):\n"
      "    @wrapped\n"
      "    def __init__(self, *, job_name, deferrable=False, durable=None, **kwargs): "
      "super().__init__(**kwargs)\n"
      "class OldGlueJobOperator(BaseOperator):\n"
      "    @wrapped\n"
      "    def __init__(self, *, job_name, deferrable=False, **kwargs): super().__init__(**kwargs)\n"
      "print(where_supported(NewGlueJobOperator, durable=False))\n"
      "print(where_supported(OldGlueJobOperator, durable=False))\n"
      "print(where_supported(OldGlueJobOperator, deferrable=False, retries=1))\n");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, "{'durable': False}\n{}\n{'deferrable': False, 'retries': 1}\n");
}

// The Glue tasks of both DAGs: GlueJobOperator never defers and is not durable (on Airflow 3.3+ with the
// amazon provider 9.35+ durable=True made a cleared start task start nothing while admission ran again);
// GlueJobSensor never defers (a deferred trigger gives up after max_retries x poke_interval, before timeout).
TEST_F(AirflowDags, TheGlueTasksAreNeitherDurableNorDeferred) {
  for (const char* dag : kDags) {
    const ToolRun run = Python(
        "import ast\n"
        "tree = ast.parse(open(sys.argv[1]).read(), sys.argv[1])\n"
        "def literal(node):\n"
        "    return ast.literal_eval(node) if isinstance(node, ast.Constant) else ast.dump(node)\n"
        "for call in ast.walk(tree):\n"
        "    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):\n"
        "        continue\n"
        "    if call.func.id not in ('GlueJobOperator', 'GlueJobSensor'):\n"
        "        continue\n"
        "    args = {k.arg: literal(k.value) for k in call.keywords if k.arg}\n"
        "    for k in call.keywords:\n"
        "        if k.arg is None and isinstance(k.value, ast.Call) and k.value.func.id == "
        "'where_supported':\n"
        "            assert k.value.args[0].id == call.func.id, ast.dump(k.value)\n"
        "            args.update({w.arg: literal(w.value) for w in k.value.keywords})\n"
        "    print(call.func.id, 'deferrable', args.get('deferrable'), 'durable', args.get('durable'),\n"
        "          'mode', args.get('mode'))\n",
        {Source(dag)});
    ASSERT_EQ(run.exit_code, 0) << dag << ": " << run.output;
    EXPECT_THAT(run.output,
                ::testing::HasSubstr("GlueJobOperator deferrable False durable False mode None\n"))
        << dag;
    EXPECT_THAT(run.output,
                ::testing::HasSubstr("GlueJobSensor deferrable False durable None mode reschedule\n"))
        << dag;
  }
}

// The HTTP DAG's admission check and sensor, run outside Airflow (their source with stand-ins for what they
// import): a controller that is restarting (502/503/504, a refused connection) is "poke again", never a
// failure; a reject still fails at once.
TEST_F(AirflowDags, TheHttpSensorAsksAgainWhileTheControllerCannotBeReached) {
  const ToolRun run = Python(
      "import ast, types\n"
      "source = open(sys.argv[1]).read()\n"
      "tree = ast.parse(source)\n"
      "class AirflowException(Exception): pass\n"
      "class AirflowFailException(AirflowException): pass\n"
      "class ConnectionError(Exception): pass\n"
      "requests = types.SimpleNamespace(exceptions=types.SimpleNamespace(ConnectionError=ConnectionError))\n"
      "class HttpSensor:\n"
      "    failure = None\n"
      "    def poke(self, context):\n"
      "        raise self.failure\n"
      "scope = dict(AirflowException=AirflowException, AirflowFailException=AirflowFailException,\n"
      "             HttpSensor=HttpSensor, requests=requests,\n"
      "             log=types.SimpleNamespace(info=lambda *a: None, warning=lambda *a: None))\n"
      "for node in tree.body:\n"
      "    if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in ('admission_check', "
      "'AdmissionSensor'):\n"
      "        exec(ast.get_source_segment(source, node), scope)\n"
      "class Response:\n"
      "    def __init__(self, status, body): self.status_code, self.body, self.text = status, body, "
      "str(body)\n"
      "    def json(self): return self.body\n"
      "class Ti:\n"
      "    def xcom_push(self, key, value): pass\n"
      "check = scope['admission_check']\n"
      "for status in (502, 503, 504):\n"
      "    print(status, check(Response(status, {'error': {'message': 'restarting'}}), Ti()))\n"
      "print('wait', check(Response(200, {'outcome': 'wait'}), Ti()))\n"
      "print('admit', check(Response(200, {'outcome': 'admit'}), Ti()))\n"
      "try:\n"
      "    check(Response(409, {'outcome': 'reject', 'reason': 'waited too long'}), Ti())\n"
      "except AirflowFailException as e:\n"
      "    print('reject fails:', e)\n"
      "sensor = scope['AdmissionSensor']()\n"
      "sensor.failure = ConnectionError('Connection refused')\n"
      "print('refused', sensor.poke({}))\n"
      "sensor.failure = AirflowException('500:Internal Server Error')\n"
      "try:\n"
      "    sensor.poke({})\n"
      "except AirflowException as e:\n"
      "    print('other errors still raise:', e)\n",
      {Source("deploy/airflow/dags/glue_with_http_sensor.py")});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output,
            "502 False\n503 False\n504 False\nwait False\nadmit True\n"
            "reject fails: glueguard rejected the launch (None): waited too long\n"
            "refused False\nother errors still raise: 500:Internal Server Error\n");
}

}  // namespace
}  // namespace glueguard
