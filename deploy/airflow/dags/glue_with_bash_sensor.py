"""A Glue launch gated by `glueguard admit` in a BashSensor.

    admission ──> start_glue_job ──> wait_glue_job ──> finish_launch
    (setup)                                            (teardown of admission)

admission       asks glueguard whether the `critical` subnet has room for 10 workers now: exit 0 admits,
                exit 75 means wait (poke again in a minute), any other exit fails the task at once. A
                controller that cannot be reached is a wait too (75, after a few quick retries): a
                controller restart or deploy never fails a launch; the sensor's timeout (= max_wait) is
                the loud backstop.
start_glue_job  StartJobRun with the same worker count; returns the job run id.
wait_glue_job   follows the job run until it ends, holding no worker slot in between.
finish_launch   runs once the launch is over, whatever happened: when the job run failed because the subnet
                had no free addresses, it reports the failure so glueguard stops admitting into that subnet
                for the cool-off.

glueguard must be on the workers' PATH. It asks the controller named by GLUEGUARD_URL (token in
GLUEGUARD_API_TOKEN) or, with no URL set, decides on its own from AWS and the configuration named by
GLUEGUARD_CONFIG. Set these in the workers' environment, not in the DAG. Guide: docs/airflow.md.

Checked against Airflow 2.11 and 3.4 (imports, parameters and deprecations, by reading their sources and the
providers': apache-airflow-providers-standard for BashSensor on Airflow 3, apache-airflow-providers-amazon;
see "Versions checked" in docs/airflow.md). Needs glueguard_launch.py beside it in the DAGs folder.
"""

from __future__ import annotations

import logging
import subprocess
from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.decorators import task

try:  # Airflow 3: the sensor lives in apache-airflow-providers-standard
    from airflow.providers.standard.sensors.bash import BashSensor
except ImportError:  # Airflow 2
    from airflow.sensors.bash import BashSensor

from airflow.providers.amazon.aws.hooks.glue import GlueJobHook
from airflow.providers.amazon.aws.operators.glue import GlueJobOperator
from airflow.providers.amazon.aws.sensors.glue import GlueJobSensor

# Shared by both example DAGs (a module beside them in the DAGs folder).
from glueguard_launch import looks_like_ip_exhaustion, where_supported

log = logging.getLogger(__name__)

CATEGORY = "critical"  # a category of the glueguard configuration: it names the subnet to check
GLUE_JOB = "product-metrics"  # an existing job whose Glue connection is the category's (glue-vpc-critical)
WORKERS = 10  # what glueguard admits and what the job run gets: keep them one number
WORKER_TYPE = "G.1X"
POOL = "glue_critical"  # one pool per category; see below
AWS_CONN_ID = "aws_default"
GLUEGUARD = "glueguard"  # or an absolute path if the binary is not on PATH

POKE_INTERVAL = 60  # seconds; the controller's admission.poll_interval (a subnet is observed once a minute)
MAX_WAIT = 600  # seconds; admission.max_wait

# The launch's identity: the same on every poke of this sensor, so a re-poke is the same waiter (it keeps
# its place in the queue and its wait clock) and a poke after an admit gets the same reservation back.
# `run_id` is the DAG run's id. The try number is deliberately left out: it is not stable across
# reschedules in every Airflow release, and a waiter that changed identity on each poke would queue at the
# back every minute and never reach max_wait. Mapped tasks: append /{{ ti.map_index }}.
LAUNCH_ID = "{{ dag.dag_id }}/{{ run_id }}/{{ task.task_id }}"


@task(task_id="finish_launch", pool=POOL)
def finish_launch(ti=None):
    """Reports an IP-exhaustion failure of the job run; says what happened to the reservation otherwise."""
    job_run_id = ti.xcom_pull(task_ids="start_glue_job")
    if not job_run_id:
        # Admitted, but StartJobRun never returned: the start task failed or was skipped, or the DAG run
        # was marked failed or successful by hand. The IPs reserved for the launch stay reserved until
        # admission.reservation_ttl (15 min). BashSensor keeps no output, so this task cannot know the
        # reservation id; it is in the admission task's log ("reservation_id" in the JSON), and
        #   glueguard release --reservation rsv-...
        # frees the IPs at once. The HTTP variant of this DAG releases automatically.
        log.warning("the launch was admitted but never started; its reservation lapses after reservation_ttl")
        return

    run = GlueJobHook(aws_conn_id=AWS_CONN_ID).conn.get_job_run(JobName=GLUE_JOB, RunId=job_run_id)["JobRun"]
    state = run["JobRunState"]
    message = run.get("ErrorMessage", "")
    if state not in ("FAILED", "ERROR") or not looks_like_ip_exhaustion(message):
        log.info("job run %s ended %s; nothing to report", job_run_id, state)
        return

    log.warning("job run %s failed for lack of IPs: %s", job_run_id, message)
    result = subprocess.run(
        [GLUEGUARD, "report-failure", "--category", CATEGORY],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"glueguard report-failure exited {result.returncode}: {result.stderr.strip()}")
    log.info("%s", result.stdout.strip())


with DAG(
    dag_id="glue_with_bash_sensor",
    schedule="0 7 * * *",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["glueguard", "glue"],
) as dag:
    # The pool: every task of this launch runs in the category's own pool, so the admission pokes of
    # critical jobs never queue behind other work for a worker slot. A poke that arrives late costs wait
    # time against max_wait, and a waiter that does not ask again within waiter_idle_timeout (5 min) loses
    # its place. Waiting sensors in reschedule mode hold no pool slot, so the pool only needs room for the
    # pokes and launch calls running at one moment. Create it with:
    #   airflow pools set glue_critical 8 "critical Glue launches"
    #
    # retry_exit_code=75 arrived with Airflow 2.6.0 (the 2.5.3 API reference of airflow.sensors.bash has no
    # such parameter, 2.6.1's has; Airflow 3 keeps it in apache-airflow-providers-standard). With it, exit
    # 75 means "not yet" and any other non-zero exit fails the task at once with AirflowFailException, which
    # skips retries: a reject (waited longer than max_wait, can never fit, unknown category) or a usage
    # error pages someone instead of poking forever. Without it, every non-zero exit would mean "poke again"
    # and a reject would only surface at the timeout.
    #
    # No decision is a "not yet" as well: `glueguard admit --server` retries a refused or reset connection
    # or a 502/503/504 a few times with jitter (about two seconds in all), and if the controller still
    # cannot be reached it exits 75 with the reason in the log. A controller restart or deploy therefore
    # never fails a launch; a controller that stays away is caught by this sensor's own timeout (= max_wait),
    # which fails the task with AirflowSensorTimeout: the loud backstop.
    #
    # mode="reschedule": between pokes the task gives its worker slot (and pool slot) back and sits in
    # up_for_reschedule; the scheduler runs it again poke_interval later. In reschedule mode the sensor's
    # timeout counts from its first poke, as glueguard's max_wait counts from the first ask, so the two
    # agree. glueguard normally rejects first (pokes are never exactly on the minute); Airflow's timeout is
    # the backstop when pokes were held up so long that glueguard dropped the waiter and restarted its clock.
    #
    # The output (the decision as one JSON line, and the reason on a reject) lands in the task log. Do not
    # pass env=: it replaces the whole environment, PATH and the GLUEGUARD_* variables included.
    admission = BashSensor(
        task_id="admission",
        bash_command=(
            f"{GLUEGUARD} admit --category {CATEGORY} --workers {WORKERS}"
            f' --run-id "{LAUNCH_ID}" --output json'
        ),
        retry_exit_code=75,
        mode="reschedule",
        poke_interval=POKE_INTERVAL,
        timeout=MAX_WAIT,
        pool=POOL,
        retries=1,  # in practice only a crashed worker retries: it resumes the same waiter (same launch id)
    )

    # Worker counts and GlueJobOperator:
    # - num_of_dpus and create_job_kwargs={"NumberOfWorkers": ..., "WorkerType": ...} shape the job
    #   *definition*, and only when the operator creates the job (or rewrites it, with update_config=True);
    #   the hook refuses num_of_dpus together with WorkerType/NumberOfWorkers. For a job that already exists
    #   they change nothing.
    # - run_job_kwargs go to StartJobRun, which takes NumberOfWorkers and WorkerType for this run only. That
    #   is where the admitted count belongs: the run gets exactly the IPs glueguard set aside for it.
    # wait_for_completion=False: the task returns the job run id right after StartJobRun, and the run is
    # followed by a reschedule-mode sensor that holds no worker slot for the hour the job may take. The id
    # also lets finish_launch read the run's ErrorMessage. deferrable=False because with deferrable=True
    # (or [operators] default_deferrable) the operator defers until the run ends whatever
    # wait_for_completion says.
    # retries=0: an automatic retry would start the job again without asking glueguard. To run a launch
    # again, clear start_glue_job with its downstream tasks; Airflow clears its setup (admission) and
    # teardown with it, so the new launch is admitted before it starts.
    # durable=False: on Airflow 3.3+ with apache-airflow-providers-amazon 9.35+ the operator defaults to
    # durable=True, keeps the run id in the task state store and, when the task runs again, goes back to
    # that run instead of starting one. Clearing start_glue_job after its run SUCCEEDED would then start
    # nothing while admission, cleared with it, ran again: the new reservation holds IPs no run will use
    # until reservation_ttl. With durable=False every try starts the run it was admitted for (retries=0
    # keeps a crashed worker from starting one unasked). Below Airflow 3.3 it defaults to False anyway;
    # provider releases before 9.35 have no such parameter and always start a run, so where_supported
    # leaves it out there.
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

    # deferrable=False, explicitly: with deferrable=True, or [operators] default_deferrable = True, the sensor
    # hands the wait to a trigger that gives up after max_retries x poke_interval (60 x 60 s = 1 h here)
    # although timeout says 4 h, failing a job that is still running. In reschedule mode it holds no worker
    # slot between pokes anyway. Releases whose GlueJobSensor has no such parameter never defer.
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

    # A teardown rather than an on_failure_callback or a one_failed task: it runs whenever admission
    # succeeded, once the work tasks are done, whether they succeeded, failed or were skipped (recent
    # releases, 2.11 and 3.x, also run it when the DAG run is marked failed or successful by hand, i.e. a
    # cancelled launch); its own result does not decide the DAG run's state, so a failed job still fails
    # the run.
    admission >> start_glue_job >> wait_glue_job >> finish_launch().as_teardown(setups=admission)
