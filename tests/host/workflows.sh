#!/bin/bash
# The GitHub Actions workflows in .github/workflows/: each parses as YAML
# and has what GitHub requires (on, jobs; each job runs-on and steps;
# each step exactly one of uses and run), every run script is valid bash,
# every file of this repository a run script names exists, a matrix of
# shards matches SHARDS, and docs/ci.md points at each workflow.
. "$(dirname "$0")/../lib.sh"

if ! python3 -c 'import yaml' 2> /dev/null; then
	skip "workflows" "python3-yaml is not installed"
	finish
	exit 0
fi

# problems WORKFLOW: one line per problem found, none if it is sound
problems() {
	python3 - "$1" "$TOP" <<'PY'
import os, re, subprocess, sys, yaml

path, top = sys.argv[1], sys.argv[2]
with open(path) as f:
    w = yaml.safe_load(f)
# YAML 1.1 reads the key "on" as the boolean true
on = w.get("on", w.get(True)) if isinstance(w, dict) else None
if not isinstance(w, dict) or not on:
    print("no 'on' (the events that start it)")
    sys.exit()
if not isinstance(w.get("jobs"), dict) or not w["jobs"]:
    print("no jobs")
    sys.exit()
shards = str((w.get("env") or {}).get("SHARDS", ""))
for name, job in w["jobs"].items():
    if "runs-on" not in job:
        print(f"job {name}: no runs-on")
    for need in ([job["needs"]] if isinstance(job.get("needs"), str) else job.get("needs", [])):
        if need not in w["jobs"]:
            print(f"job {name}: needs {need}, which is not a job")
    steps = job.get("steps")
    if not isinstance(steps, list) or not steps:
        print(f"job {name}: no steps")
        continue
    for i, step in enumerate(steps):
        if ("uses" in step) == ("run" in step):
            print(f"job {name} step {i + 1}: needs exactly one of uses and run")
        if "uses" in step and not re.fullmatch(r"[\w.-]+/[\w./-]+@[\w.-]+", step["uses"]):
            print(f"job {name} step {i + 1}: uses {step['uses']!r} is not OWNER/REPO@REF")
        if step.get("run") is None:
            continue
        script = str(step["run"])
        # ${{ ... }} is GitHub's, replaced before the shell sees the script
        plain = re.sub(r"\$\{\{[^}]*\}\}", "X", script)
        check = subprocess.run(["bash", "-n"], input=plain, text=True, capture_output=True)
        if check.returncode:
            print(f"job {name} step {i + 1}: bash -n: {check.stderr.strip()}")
        for word in re.findall(r"(?<![\w/.-])((?:scripts|build/bin|\.ci)/[\w./-]+)", plain):
            if not word.startswith("build/") and not os.path.exists(os.path.join(top, word)):
                print(f"job {name} step {i + 1}: {word} is not in the repository")
    matrix = (job.get("strategy") or {}).get("matrix") or {}
    if "shard" in matrix and shards and len(matrix["shard"]) != int(shards):
        print(f"job {name}: {len(matrix['shard'])} shards in the matrix, SHARDS is {shards}")
PY
}

n=0
for wf in "$TOP"/.github/workflows/*.yml; do
	[ -e "$wf" ] || continue
	n=$((n + 1))
	name=.github/workflows/$(basename "$wf")
	check "$name has what GitHub Actions requires" test -z "$(problems "$wf" 2>&1)"
	check "docs/ci.md points at $name" grep -qF "$name" "$TOP/docs/ci.md"
done
check "two workflows: check and the nightly sweep" test "$n" = 2

# the checker finds what it is there to find
bad=$WORK/bad.yml
cat > "$bad" <<'Y'
name: broken
on: push
jobs:
  a:
    needs: nosuch
    steps:
      - run: echo "unterminated
      - uses: actions/checkout@v4
        run: true
      - run: scripts/nosuch.sh
Y
problems "$bad" > "$WORK/found" 2>&1
for want in "job a: no runs-on" "needs nosuch, which is not a job" "step 1: bash -n" \
	"step 2: needs exactly one of uses and run" "scripts/nosuch.sh is not in the repository"; do
	check "a broken workflow: found: $want" grep -qF "$want" "$WORK/found"
done
finish
