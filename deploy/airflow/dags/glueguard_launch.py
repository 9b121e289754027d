"""What the example DAGs share: how to tell a Glue run that failed for lack of IP addresses, and how to pass
an argument only to the provider releases that have it.

Not a DAG (the .airflowignore beside it keeps Airflow from parsing it as one); the DAGs import it, since
Airflow puts the DAGs folder on sys.path. It imports nothing from Airflow, so it can be tested without it
(src/deploy/airflow_dags_test.cc). Copy it, and the .airflowignore, with the DAGs.
"""

from __future__ import annotations

import inspect
import re

# The wordings a job run's (or a session's) ErrorMessage has when its subnet had no free IPs:
# - Glue quoting EC2's error when the ENIs could not be created, with EC2's error code:
#   "... InsufficientFreeAddressesInSubnet: The specified subnet does not have enough free addresses to
#   satisfy the request." (some releases say "free IP addresses");
# - Glue's own check before it asks EC2:
#   "Number of IP addresses on subnet is 0: subnet-0a1b2c3d (Error Code: InvalidInputException)".
IP_EXHAUSTION = re.compile(
    r"InsufficientFreeAddressesInSubnet"
    r"|does not have enough free (?:IP )?addresses"
    r"|insufficient free (?:IP )?addresses"
    r"|Number of (?:free )?IP addresses (?:on|in) (?:the )?subnet is 0\b",
    re.IGNORECASE,
)


def looks_like_ip_exhaustion(error_message: str | None) -> bool:
    """True when a failed run's ErrorMessage says its subnet was out of IP addresses."""
    return bool(error_message) and IP_EXHAUSTION.search(error_message) is not None


def where_supported(operator_class: type, **kwargs) -> dict:
    """The keyword arguments of `kwargs` that `operator_class` (or a base class) names in its __init__.

    Airflow refuses an argument an operator does not know ("Invalid arguments were passed"), so an argument a
    newer provider release added is passed only where it exists. Use it only for a value that restates what
    the releases without the argument do anyway: there, leaving it out changes nothing.
    """
    named = set()
    for cls in inspect.getmro(operator_class):
        init = cls.__dict__.get("__init__")
        if init is None:
            continue
        # Airflow wraps __init__ (functools.wraps); the wrapped function has the real parameters.
        init = inspect.unwrap(init)
        try:
            named.update(inspect.signature(init).parameters)
        except (TypeError, ValueError):
            continue
    return {name: value for name, value in kwargs.items() if name in named}
