"""Gate for `pip-audit` over the pinned dependencies (constraints.txt pins every package, transitive ones too).

pip-audit reports "No known vulnerabilities found" and exits 0 even when it could not look a single
package up (the PyPI JSON API or OSV unreachable, as on an offline CI machine). This gate reads its
JSON report instead and:
- fails (exit 1) when any pinned package has a known vulnerability;
- fails when pip-audit itself fails for another reason than an unreachable vulnerability service;
- otherwise passes, but prints loudly how many packages could NOT be audited, and fails on that too
  when AUDIT_REQUIRE_VULN_DB=1 (set it where the vulnerability service is reachable).
"""

import json
import os
import subprocess
import sys
import tempfile

PIP_AUDIT = os.path.join(os.path.dirname(sys.executable), "pip-audit")


def run_pip_audit(requirements: str, report: str) -> subprocess.CompletedProcess:
    command = [PIP_AUDIT, "--disable-pip", "--no-deps", "-r", requirements]
    command += ["--progress-spinner", "off", "--format", "json", "--output", report]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)  # noqa: S603 - fixed argv


def main(requirements: str = "constraints.txt") -> int:
    with tempfile.TemporaryDirectory() as folder:
        report_path = os.path.join(folder, "audit.json")
        result = run_pip_audit(requirements, report_path)
        if not os.path.exists(report_path):
            unreachable = "ConnectionError" in result.stderr or "Max retries" in result.stderr
            print(result.stderr[-2000:], file=sys.stderr)
            if unreachable and os.environ.get("AUDIT_REQUIRE_VULN_DB") != "1":
                print("pip-audit: WARNING — the vulnerability service is unreachable; NOTHING WAS AUDITED.")
                return 0
            print("pip-audit: FAILED (see above)", file=sys.stderr)
            return 1
        with open(report_path, encoding="utf-8") as handle:
            report = json.load(handle)
    dependencies = report["dependencies"]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if "skip_reason" in d]
    audited = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix released"
            print(f"VULNERABLE {dependency['name']}=={dependency['version']}: {vuln['id']} (fixed in {fixes})")
    print(f"pip-audit: {len(dependencies)} pinned packages, {audited} audited, {len(vulnerable)} vulnerable.")
    if vulnerable:
        return 1
    if skipped:
        print(
            f"pip-audit: WARNING — {len(skipped)} packages could NOT be audited (the vulnerability "
            "service is unreachable from here, e.g. only the package index is): " + skipped[0]["skip_reason"]
        )
        if os.environ.get("AUDIT_REQUIRE_VULN_DB") == "1":
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
