"""Import throughput: N persons from a generated CSV into a fresh SQLite database (or DATABASE_URL),
with validation, scope and audit on, as in production.

    .venv/bin/python bench/import_bench.py --rows 100000

Prints rows/s for the check (preview) and the write (confirm), and the process's peak RSS.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="import-bench-")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{workdir}/bench.db"
    os.environ["DATABASE_URL"] = url
    from flask import g
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import appbuilder, db
    from app.services import importer
    from app.services.demo_data import load_demo_data

    app = create_app()
    with app.app_context():
        upgrade()
        appbuilder.sm.sync_roles()
        load_demo_data()
    path = os.path.join(workdir, "persons.csv")
    generate(path, args.rows)
    with app.test_request_context("/import/persons/confirm", method="POST"):
        g.user = appbuilder.sm.find_user(username="admin")
        started = time.perf_counter()
        checked = importer.check_file(importer.PERSONS, path, "csv")
        checked_at = time.perf_counter()
        result = importer.write(importer.PERSONS, checked, "skip")
        db.session.commit()
        done = time.perf_counter()
    rows = len(checked.valid)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database: {url.split(':')[0]}; rows: {rows}; errors: {checked.error_count}; created: {result['created']}")
    print(f"check (preview): {checked_at - started:.1f} s = {rows / (checked_at - started):.0f} rows/s")
    print(f"write (confirm, audited): {done - checked_at:.1f} s = {rows / (done - checked_at):.0f} rows/s")
    print(f"end to end: {rows / (done - started):.0f} rows/s; peak RSS {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
