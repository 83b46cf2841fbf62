"""Authorisation overhead: DescribeClusters by a principal holding 50 policies of 20 statements
each, against the bootstrap admin (never evaluated), on the same server in the same run.

The principal is an IAM user in 5 groups with 10 managed policies each (IAM's quotas: 10
groups per user, 10 managed policies per group). Statements mix services, actions with
wildcards, resource ARNs and conditions; one statement in the 37th policy allows
``ecs:DescribeClusters``, and one Deny elsewhere names another action, so the evaluator must
look at every candidate statement. Phases alternate admin / user / admin / user
(``--rounds``) to even out the shared machine's noise; every call is also audited in both.

    python3 bench/auth_overhead.py [--clients 4] [--seconds 8] [--rounds 2]

Goal (issue 8): the user's throughput ≥ 0.9 × the admin's (policies compiled and cached,
invalidated on change).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.server import ServerProcess

ACCOUNT = "123456789012"
SERVICES = ("ecs", "logs", "cloudwatch", "ssm", "secretsmanager", "elasticloadbalancing")
VERBS = ("Describe", "List", "Get", "Put", "Create", "Delete", "Update", "Tag")


def statement(policy: int, index: int) -> dict[str, object]:
    """A varied, realistic statement that does not allow ecs:DescribeClusters."""
    service = SERVICES[(policy + index) % len(SERVICES)]
    verb = VERBS[(policy * 3 + index) % len(VERBS)]
    body: dict[str, object] = {
        "Sid": f"P{policy}S{index}",
        "Effect": "Allow",
        "Action": [
            f"{service}:{verb}{'Thing' if index % 2 else '*'}{index}",
            f"{service}:X{index}",
        ],
        "Resource": f"arn:aws:{service}:*:{ACCOUNT}:thing/p{policy}/{index}/*",
    }
    if index % 4 == 0:
        body["Condition"] = {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
    if index % 5 == 0:
        body["Condition"] = {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    return body


def policy_document(policy: int) -> str:
    statements = [statement(policy, i) for i in range(20)]
    if policy == 36:
        statements[-1] = {
            "Sid": "DescribeClusters",
            "Effect": "Allow",
            "Action": "ecs:DescribeClusters",
            "Resource": f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/*",
        }
    if policy == 12:
        statements[0] = {"Effect": "Deny", "Action": "ecs:DeleteCluster", "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def provision(server: ServerProcess) -> tuple[str, str]:
    """The user, its 5 groups and 50 managed policies; returns its access key."""
    iam = server.client("iam")
    iam.create_user(UserName="bench-user")
    for group in range(5):
        name = f"bench-group-{group}"
        iam.create_group(GroupName=name)
        iam.add_user_to_group(GroupName=name, UserName="bench-user")
        for n in range(10):
            number = group * 10 + n
            arn = iam.create_policy(
                PolicyName=f"bench-policy-{number}", PolicyDocument=policy_document(number)
            )["Policy"]["Arn"]
            iam.attach_group_policy(GroupName=name, PolicyArn=arn)
    key = iam.create_access_key(UserName="bench-user")["AccessKey"]
    server.client("ecs").create_cluster(clusterName="bench")
    return key["AccessKeyId"], key["SecretAccessKey"]


def worker(endpoint: str, key: str, secret: str, seconds: float, out: mp.Queue) -> None:  # type: ignore[type-arg]
    import boto3
    from botocore.config import Config

    ecs = boto3.session.Session(
        aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1"
    ).client("ecs", endpoint_url=endpoint, config=Config(retries={"max_attempts": 1}))
    ecs.describe_clusters(clusters=["bench"])  # warm the connection and the caches
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        try:
            ecs.describe_clusters(clusters=["bench"])
        except Exception:
            errors += 1
        latencies.append(time.perf_counter() - start)
    out.put((latencies, errors))


def phase(endpoint: str, key: str, secret: str, clients: int, seconds: float) -> dict[str, float]:
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    procs = [
        mp.Process(target=worker, args=(endpoint, key, secret, seconds, queue))
        for _ in range(clients)
    ]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(x for r in results for x in r[0])
    return {
        "requests": float(len(latencies)),
        "errors": float(sum(r[1] for r in results)),
        "rps": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def combine(runs: list[dict[str, float]]) -> dict[str, float]:
    return {
        "requests": sum(r["requests"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "rps": statistics.mean(r["rps"] for r in runs),
        "p50_ms": statistics.mean(r["p50_ms"] for r in runs),
        "p99_ms": statistics.mean(r["p99_ms"] for r in runs),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(data_dir=Path(tmp) / "data").start()
        try:
            admin_key, admin_secret = server.credentials()
            user_key, user_secret = provision(server)
            admin_runs, user_runs = [], []
            for _ in range(args.rounds):
                admin_runs.append(
                    phase(server.endpoint, admin_key, admin_secret, args.clients, args.seconds)
                )
                user_runs.append(
                    phase(server.endpoint, user_key, user_secret, args.clients, args.seconds)
                )
        finally:
            server.stop()
    admin, user = combine(admin_runs), combine(user_runs)
    print(
        f"auth_overhead: DescribeClusters, {args.clients} clients x {args.seconds:.0f} s, "
        f"{args.rounds} alternating rounds; user = 50 managed policies x 20 statements "
        "(5 groups), admin = bootstrap root of trust (not evaluated)"
    )
    print(f"{'principal':<12}{'requests':>10}{'errors':>8}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}")
    for name, r in (("admin", admin), ("user", user)):
        print(
            f"{name:<12}{r['requests']:>10.0f}{r['errors']:>8.0f}{r['rps']:>10.1f}"
            f"{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}"
        )
    ratio = user["rps"] / admin["rps"]
    print(
        f"ratio user/admin: throughput {ratio:.2f}x (goal >= 0.9: "
        f"{'met' if ratio >= 0.9 else 'NOT met'}), p50 {user['p50_ms'] / admin['p50_ms']:.2f}x, "
        f"p99 {user['p99_ms'] / admin['p99_ms']:.2f}x"
    )
    return 0 if user["errors"] == 0 and admin["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
