"""A Glue launch gated by the glueguard controller's HTTP API, through an HttpSensor.

    admission ──> start_glue_job ──> wait_glue_job ──> finish_launch
    (setup)                                            (teardown of admission)

admission       POST /v1/admissions {"category", "workers", "run_id"}: 200 with outcome "admit" ends the
                sensor and keeps the decision (with its reservation id) in XCom; 200 with outcome "wait"
                pokes again a minute later; 409 (reject) fails the task at once with glueguard's reason.
start_glue_job  StartJobRun with the same worker count; returns the job run id.
wait_glue_job   follows the job run until it ends, holding no worker slot in between.
finish_launch   once the launch is over: if it never started, DELETE /v1/admissions/{reservation_id} frees
                the IPs held for it; if the job run failed for lack of addresses, POST /v1/failures starts
                the subnet's cool-off and the reservation is released too.

Airflow connection "glueguard" (type HTTP): host and port of the controller, and the bearer token as a
header in the connection's extra, e.g.
    airflow connections add glueguard --conn-type http --conn-host glueguard.internal --conn-port 8080 \\
        --conn-schema http --conn-extra '{"Authorization": "Bearer <token>"}'
HttpHook sends every key of the extra it does not recognise as a request header, and Airflow masks the value
of an "Authorization" key in logs.

A controller that cannot be reached (connection refused or reset, 502/503/504) is "poke again", never a
failed launch: a controller restart or deploy passes unnoticed, and the sensor's timeout (= max_wait) is the
loud backstop when it stays away.

Checked against Airflow 2.11 and 3.4 (imports, parameters and deprecations, by reading their sources and the
providers': apache-airflow-providers-http, apache-airflow-providers-amazon; see "Versions checked" in
docs/airflow.md). Needs glueguard_launch.py beside it in the DAGs folder. Guide: docs/airflow.md.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

import requests

try:  # Airflow 3
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.decorators import task

try:  # Airflow 3: airflow.exceptions still has them, deprecated in favour of the SDK's
    from airflow.sdk.exceptions import AirflowException, AirflowFailException
except ImportError:  # Airflow 2
    from airflow.exceptions import AirflowException, AirflowFailException

from airflow.providers.amazon.aws.hooks.glue import GlueJobHook
from airflow.providers.amazon.aws.operators.glue import GlueJobOperator
from airflow.providers.amazon.aws.sensors.glue import GlueJobSensor
from airflow.providers.http.hooks.http import HttpHook
from airflow.providers.http.sensors.http import HttpSensor

# Shared by both example DAGs (a module beside them in the DAGs folder).
from glueguard_launch import looks_like_ip_exhaustion, where_supported

log = logging.getLogger(__name__)

HTTP_CONN_ID = "glueguard"
CATEGORY = "critical"  # a category of the glueguard configuration: it names the subnet to check
GLUE_JOB = "product-metrics"  # an existing job whose Glue connection is the category's (glue-vpc-critical)
WORKERS = 10  # what glueguard admits and what the job run gets: keep them one number
WORKER_TYPE = "G.1X"
POOL = "glue_critical"  # one pool per category: admission pokes never queue behind other work
AWS_CONN_ID = "aws_default"

POKE_INTERVAL = 60  # seconds; the controller's admission.poll_interval
MAX_WAIT = 600  # seconds; admission.max_wait

# The request body, rendered by Jinja at each poke (request_params is a templated field). The run id is the
# launch's identity: the same on every poke, so a re-poke is the same waiter (keeps its place and its wait
# clock) and a poke after an admit gets the same reservation back. The try number is left out on purpose:
# it is not stable across reschedules in every Airflow release. tojson quotes the values properly. Add
# "priority": N to the dict to override the category's priority for this launch. The rendered body must stay
# a string: leave the DAG's render_template_as_native_obj off, or it comes back as a dict and is form-encoded.
ADMISSION_BODY = (
    "{{ {"
    f'"category": "{CATEGORY}", "workers": {WORKERS}, '
    '"run_id": dag.dag_id ~ "/" ~ run_id ~ "/" ~ task.task_id'
    "} | tojson }}"
)


def admission_check(response, ti):
    """True only when glueguard admits; False to poke again; raises when asking again cannot help.

    What this relies on, from apache-airflow-providers-http (sensors/http.py and hooks/http.py):
    - HttpHook.run_and_check calls check_response unless extra_options["check_response"] is False, and
      check_response raises AirflowException("<status>:<reason>") for any status outside 2xx and 3xx;
    - HttpSensor.poke returns whatever response_check returns, and catches AirflowException: when the
      message starts with a code of response_error_codes_allowlist (default ["404"]) it returns False
      (poke again), otherwise it re-raises.
    With check_response left on, a reject would fail the try as a bare "409:Conflict", without glueguard's
    reason and subject to retries. The sensor turns it off, so this function sees every status and decides.
    The exceptions raised here are AirflowExceptions too; their messages start with "glueguard", so the
    allowlist never swallows them.
    """
    try:
        decision = response.json()
    except ValueError:
        decision = None
    if not isinstance(decision, dict):
        decision = {}
    error = decision.get("error") if isinstance(decision.get("error"), dict) else {}
    reason = decision.get("reason") or error.get("message") or response.text[:500]

    if response.status_code == 200 and decision.get("outcome") == "admit":
        log.info(
            "admitted (%s): %s; reservation %s", decision.get("code"), reason, decision.get("reservation_id")
        )
        # Pushed explicitly rather than returned in a PokeReturnValue: HttpSensor releases of the http
        # provider from 4.9.0 up to 5.2.0 drop a sensor's XCom value (fixed in 5.2.1, apache/airflow#46848).
        ti.xcom_push(key="decision", value=decision)
        return True
    if response.status_code == 200 and decision.get("outcome") == "wait":
        log.info("waiting (%s, %ss so far): %s", decision.get("code"), decision.get("waited_seconds"), reason)
        return False
    if response.status_code == 409:
        # A reject: waited longer than max_wait, can never fit the subnet, or an unknown category. Failing
        # with AirflowFailException skips the task's retries: asking again cannot change the answer.
        raise AirflowFailException(f"glueguard rejected the launch ({decision.get('code')}): {reason}")
    if response.status_code in (502, 503, 504):
        # No decision this time: the controller could not reach its store, or a proxy in front of it could
        # not reach the controller (a restart, a deploy). Nothing changed; ask again at the next poke, as
        # `glueguard admit` does with exit 75. The sensor's timeout still bounds the wait.
        log.warning("glueguard is unavailable (HTTP %s): %s", response.status_code, reason)
        return False
    if response.status_code in (400, 401, 403, 404):
        # A malformed request, a missing or wrong token, a wrong URL: fix the DAG or the connection.
        raise AirflowFailException(f"glueguard answered HTTP {response.status_code}: {reason}")
    raise AirflowException(f"glueguard answered HTTP {response.status_code}: {reason}")


class AdmissionSensor(HttpSensor):
    """An HttpSensor for which a controller that refuses or drops the connection is "not yet".

    HttpSensor.poke lets requests' ConnectionError through (only AirflowExceptions are checked against the
    allowlist), which would fail the try while the controller restarts. Here it is a poke that found no
    decision, like a 503: the launch keeps its place (same run id) and the sensor's timeout bounds the wait.
    """

    def poke(self, context):
        try:
            return super().poke(context)
        except requests.exceptions.ConnectionError as e:
            log.warning("glueguard cannot be reached, asking again at the next poke: %s", e)
            return False


def _glueguard(method: str, endpoint: str, body: dict | None = None):
    hook = HttpHook(method=method, http_conn_id=HTTP_CONN_ID)
    return hook.run(
        endpoint,
        data=json.dumps(body) if body is not None else None,
        headers={"Content-Type": "application/json"} if body is not None else None,
        extra_options={"check_response": False, "timeout": 30},
    )


def release(reservation_id: str | None) -> None:
    """DELETE /v1/admissions/{id}: 204 released; 404 means it had already ended (its ENIs appeared or its
    TTL passed), which is just as good."""
    if not reservation_id:
        return
    response = _glueguard("DELETE", f"/v1/admissions/{reservation_id}")
    if response.status_code == 204:
        log.info("released reservation %s", reservation_id)
    elif response.status_code == 404:
        log.info("reservation %s had already ended", reservation_id)
    else:
        raise AirflowException(
            f"releasing {reservation_id}: HTTP {response.status_code}: {response.text[:500]}"
        )


def report_exhaustion() -> None:
    """POST /v1/failures: the subnet admits nothing for admission.cool_off."""
    response = _glueguard("POST", "/v1/failures", {"category": CATEGORY})
    if response.status_code != 202:
        raise AirflowException(f"reporting the failure: HTTP {response.status_code}: {response.text[:500]}")
    log.info("reported an IP-exhaustion failure for %s; admission cools off", CATEGORY)


@task(task_id="finish_launch", pool=POOL)
def finish_launch(ti=None):
    decision = ti.xcom_pull(task_ids="admission", key="decision") or {}
    reservation_id = decision.get("reservation_id")
    job_run_id = ti.xcom_pull(task_ids="start_glue_job")
    if not job_run_id:
        # Admitted, but StartJobRun never returned: the start task failed or was skipped, or the DAG run
        # was marked failed or successful by hand. No ENIs will appear for this launch, so give its IPs back
        # now instead of holding them until admission.reservation_ttl.
        log.warning("the launch was admitted but never started")
        release(reservation_id)
        return

    run = GlueJobHook(aws_conn_id=AWS_CONN_ID).conn.get_job_run(JobName=GLUE_JOB, RunId=job_run_id)["JobRun"]
    state = run["JobRunState"]
    message = run.get("ErrorMessage", "")
    if state not in ("FAILED", "ERROR") or not looks_like_ip_exhaustion(message):
        # A run that started normally has had its ENIs counted against the reservation; nothing to do.
        log.info("job run %s ended %s; nothing to report", job_run_id, state)
        return

    log.warning("job run %s failed for lack of IPs: %s", job_run_id, message)
    # Cool-off first, so that the IPs released next cannot admit another launch into the same subnet.
    report_exhaustion()
    release(reservation_id)


with DAG(
    dag_id="glue_with_http_sensor",
    schedule="0 7 * * *",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["glueguard", "glue"],
) as dag:
    # mode="reschedule": between pokes the task gives its worker slot and pool slot back; the sensor's
    # timeout counts from the first poke, like glueguard's max_wait, and is its backstop.
    # method="POST" with a string body: HttpHook sends request_params as the body of any method but GET.
    # deferrable=False: in deferrable mode (or with [operators] default_deferrable) the sensor hands the
    # polling to a trigger and response_check only runs at the end, so a reject would not fail at once.
    admission = AdmissionSensor(
        task_id="admission",
        http_conn_id=HTTP_CONN_ID,
        method="POST",
        endpoint="/v1/admissions",
        request_params=ADMISSION_BODY,
        headers={"Content-Type": "application/json"},
        extra_options={"check_response": False, "timeout": 60},
        response_check=admission_check,
        mode="reschedule",
        poke_interval=POKE_INTERVAL,
        timeout=MAX_WAIT,
        deferrable=False,
        pool=POOL,
        retries=1,  # a crashed worker: the retry resumes the same waiter
    )

    # Worker counts: run_job_kwargs go to StartJobRun, which takes NumberOfWorkers and WorkerType for this
    # run, so the run gets exactly what was admitted. num_of_dpus and create_job_kwargs only shape the job
    # definition when the operator creates it (or rewrites it with update_config=True).
    # wait_for_completion=False and a reschedule-mode GlueJobSensor: no worker slot held while the job
    # runs, and the job run id is in XCom for finish_launch. retries=0: a retry would start the job without
    # asking glueguard; clear start_glue_job with its downstream tasks instead, which re-runs admission.
    # durable=False: on Airflow 3.3+ with apache-airflow-providers-amazon 9.35+ the operator defaults to
    # durable=True and, when the task runs again, goes back to the run it started before. Clearing
    # start_glue_job after that run SUCCEEDED would start nothing while admission ran again, and the new
    # reservation would hold its IPs until reservation_ttl. With durable=False every try starts the run it
    # was admitted for. Provider releases before 9.35 have no such parameter and always start a run, so
    # where_supported leaves it out there.
    start_glue_job = GlueJobOperator(
        task_id="start_glue_job",
        job_name=GLUE_JOB,
        script_args={"--airflow_run_id": "{{ run_id }}"},
        run_job_kwargs={"NumberOfWorkers": WORKERS, "WorkerType": WORKER_TYPE},
        wait_for_completion=False,
        deferrable=False,
        aws_conn_id=AWS_CONN_ID,
        pool=POOL,
        retries=0,
        **where_supported(GlueJobOperator, durable=False),
    )

    # deferrable=False, explicitly: deferred (deferrable=True, or [operators] default_deferrable = True),
    # the wait goes to a trigger that gives up after max_retries x poke_interval (60 x 60 s = 1 h here)
    # although timeout says 4 h. Releases whose GlueJobSensor has no such parameter never defer.
    wait_glue_job = GlueJobSensor(
        task_id="wait_glue_job",
        job_name=GLUE_JOB,
        run_id="{{ ti.xcom_pull(task_ids='start_glue_job') }}",
        aws_conn_id=AWS_CONN_ID,
        mode="reschedule",
        poke_interval=60,
        timeout=4 * 3600,
        pool=POOL,
        **where_supported(GlueJobSensor, deferrable=False),
    )

    # A teardown: it runs whenever admission succeeded, once the work tasks are done, whatever their
    # outcome (recent releases also run it when the DAG run is marked failed or successful by hand), and
    # its own result does not decide the DAG run's state.
    admission >> start_glue_job >> wait_glue_job >> finish_launch().as_teardown(setups=admission)
