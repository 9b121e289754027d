"""What the Python system tests assert about admission decisions."""
import collections


def over_admissions(admits):
    """Failures (one line each) among `admits`, the decision JSON of launches answered admit.

    On each subnet, the admissions decided on one observation must never spend more than free - buffer between
    them, and each must have counted every IP admitted before it on that observation as reserved (a decision
    that counted fewer is a double spend, by another thread or another replica)."""
    failures = []
    by_observation = collections.defaultdict(list)
    for d in admits:
        if d["code"] == "fits":
            by_observation[(d["subnet"], d["observed_at"])].append(d)
    for (subnet, observed_at), group in by_observation.items():
        group.sort(key=lambda d: d["reserved"])
        free, buffer = group[0]["free"], group[0]["buffer"]
        spent = group[0]["reserved"]
        for d in group:
            if d["reserved"] < spent:
                failures.append(f"{subnet} at {observed_at}: {d['run_id']} was decided on {d['reserved']} "
                                f"reserved while {spent} were already spent (double spend)")
            spent = max(spent, d["reserved"]) + d["needed"]
        if spent > free - buffer:
            failures.append(f"{subnet} at {observed_at}: admitted up to {spent} IPs with {free} free and a "
                            f"buffer of {buffer}")
    return failures
