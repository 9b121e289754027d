"""Session events as EventBridge delivers CloudTrail's CreateSession, for the Python system tests."""


def create_session_event(prefix, n, workers=50):
    """Event n of a run: event id `<prefix>-event-<n>` for session `<prefix>-session-<n>` asking for `workers` G.1X
    workers (50 breaks the example policy's limits, so it is notified)."""
    session = f"{prefix}-session-{n}"
    return {
        "version": "0", "id": f"{prefix}-env-{n}", "detail-type": "AWS API Call via CloudTrail", "source": "aws.glue",
        "account": "123456789012", "time": "2026-01-05T07:00:00Z", "region": "us-east-1", "resources": [],
        "detail": {
            "eventVersion": "1.08", "eventSource": "glue.amazonaws.com", "eventName": "CreateSession",
            "eventID": f"{prefix}-event-{n}", "eventTime": "2026-01-05T07:00:00Z", "awsRegion": "us-east-1",
            "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/Eng/jane"},
            "requestParameters": {"id": session, "role": "arn:aws:iam::123456789012:role/Glue",
                                  "command": {"name": "glueetl", "pythonVersion": "3"},
                                  "numberOfWorkers": workers, "workerType": "G.1X"},
            "responseElements": {"session": {"id": session, "status": "PROVISIONING"}}}}
