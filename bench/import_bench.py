"""Import throughput: N persons from a generated CSV into a fresh SQLite database (or DATABASE_URL),
with validation, scope and audit on, as in production.

    .venv/bin/python bench/import_bench.py --rows 100000

Prints rows/s for the preview (read and check) and the confirm (read, check, write with audit,
commit), and the process's peak RSS.
"""

import argparse
import csv
import os
import resource
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def generate(path: str, rows: int) -> None:
    from datetime import date, timedelta

    from stdnum.cn import ric

    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["姓名", "公民身份号码", "部门/单位", "类别", "手机号码", "入职日期"])
        for index in range(rows):
            birth = f"{date(1990, 1, 1) + timedelta(days=index // 1000):%Y%m%d}"  # 1000 people per birthday
            body = f"110105{birth}{index % 1000:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if not ric.is_valid(number):
                continue
            writer.writerow(
                [f"测试{index}", number, "龙泉街道便民服务中心", "社区工作者", f"139{index:08d}"[:11], "2020-09-01"]
            )


def status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (Linux), in MB."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> float:
    """Start measuring the peak RSS afresh (Linux: clear_refs 5), and return the current RSS."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass
    return status_mb("VmRSS")


def reference_s() -> float:
    """A fixed CPU-bound loop, so figures from machines of different speed can be compared."""
    started = time.perf_counter()
    sum(range(30_000_000))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="import-bench-")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/bench.db"
    os.environ["DATABASE_URL"] = url
    from flask import g

    from app import create_app
    from app.extensions import appbuilder, db
    from app.schema_migrations import upgrade
    from app.services import importer
    from app.services.demo_data import load_demo_data

    app = create_app()
    with app.app_context():
        upgrade()
        appbuilder.sm.sync_roles()
        load_demo_data()
    path = os.path.join(workdir, "persons.csv")
    generate(path, args.rows)
    before_mb = reset_peak_rss()
    with app.test_request_context("/import/persons/preview", method="POST"):
        g.user = appbuilder.sm.find_user(username="admin")
        started = time.perf_counter()
        checked = importer.check_file(importer.PERSONS, path, "csv")
        preview_s = time.perf_counter() - started
        db.session.rollback()
    with app.test_request_context("/import/persons/confirm", method="POST"):
        g.user = appbuilder.sm.find_user(username="admin")
        started = time.perf_counter()
        result, confirmed = importer.write(importer.PERSONS, path, "csv", "skip")
        confirm_s = time.perf_counter() - started
    rows = checked.valid
    peak_mb = status_mb("VmHWM")
    print(f"database: {url.split(':')[0]}; rows: {rows}; errors: {checked.error_count}; created: {result['created']}")
    print(f"preview (read and check, nothing written): {preview_s:.1f} s = {rows / preview_s:.0f} rows/s")
    print(f"confirm (read, check, write, audit, commit): {confirm_s:.1f} s = {rows / confirm_s:.0f} rows/s")
    print(f"preview + confirm: {rows / (preview_s + confirm_s):.0f} rows/s")
    print(f"RSS before the import {before_mb:.0f} MB, peak during it {peak_mb:.0f} MB")
    print(f"machine: {os.cpu_count()} cores; reference loop (sum of 30 million integers) {reference_s():.2f} s")


if __name__ == "__main__":
    main()
