#!/usr/bin/env bash
# Pipelines and scale: --newer (Make-style skips by time and settings
# stamp), the example Makefile, --report (JSON Lines appended per job),
# --shard K/N (separate processes together = one run) and the GNU
# parallel cluster example.
#
# usage: pipe.sh CASE TEMPITCH GEN_SIGNAL WAVINFO
#
# Each CASE is registered as its own meson test.  Exit 0 pass, 1 fail,
# 77 skip.

# Before lib.sh, which changes into a scratch directory.
SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../scripts" && pwd)

# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PYTHON=/usr/bin/python3
[[ -x $PYTHON ]] || PYTHON=$(command -v python3 || true)

# Times well in the past, so that "newer" never depends on how quickly
# the test runs (file systems keep coarse ticks; equal times count as up
# to date, as in make).
OLD=@1500000000
MID=@1600000000

# inode FILE: a rewritten output is a new file (renamed into place), so
# its inode number tells whether tempitch wrote it again.
inode() {
    stat -c %i "$1"
}
# changed: the names whose inode differs between before.txt and after.txt
# (`ls -i` listings).
changed() {
    diff before.txt after.txt | sed -n 's/^> *[0-9]* //p' || true
}
# check_jsonl FILE EXPR: every line of FILE is a JSON object; the Python
# expression holds for `lines` (the list of objects).
check_jsonl() {
    [[ -n $PYTHON ]] || skip "no python3 to parse JSON"
    "$PYTHON" -c 'import json, sys
with open(sys.argv[1], "rb") as f:
    raw = f.read()
assert raw.endswith(b"\n"), "last line unterminated"
lines = [json.loads(l) for l in raw.decode("utf-8").split("\n")[:-1]]
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2" ||
        fail "$1 is not valid JSON Lines or fails '$2': $(cat "$1")"
}
# stamp_of FILE: the settings stamp stored in FILE (plain text in WAV).
stamp_of() {
    grep -aoE 'tempitch [0-9][^(]* \(' "$1" | sed 's/ ($//' | head -n 1
}
# make_inputs DIR N: N short distinct inputs, dated $OLD.
make_inputs() {
    mkdir -p "$1"
    local i
    for ((i = 1; i <= $2; i++)); do
        gen -n $((4000 + 997 * i)) "$1/clip$i.wav"
    done
    touch -d "$OLD" "$1"/*.wav
}

case_newer() {
    gen -d 0.3 a.wav
    gen -d 0.25 b.wav
    touch -d "$OLD" a.wav b.wav
    run -q -p 3 -T 1.25 a.wav b.wav -o out
    expect_status 0
    cp out/a.wav first.wav
    [[ $(stamp_of out/a.wav) == "tempitch $($TEMPITCH -V | cut -d' ' -f2) -p 3 -T 1.25" ]] ||
        fail "stamp: '$(stamp_of out/a.wav)'"
    local a b
    a=$(inode out/a.wav) b=$(inode out/b.wav)

    # Unchanged: up to date, exit 0, nothing rewritten, no message.
    run --newer -p 3 -T 1.25 a.wav b.wav -o out
    expect_status 0
    expect_no_stderr
    expect_stdout "files: 0 ok, 0 failed, 0 skipped, 2 up to date (2 in all)"
    grep -qE '^a\.wav .* up to date$' stdout.txt || fail "table: $(cat stdout.txt)"
    [[ $(inode out/a.wav) == "$a" && $(inode out/b.wav) == "$b" ]] ||
        fail "an up-to-date output was rewritten"
    # The same settings spelt otherwise are the same stamp.
    run -q --newer -p 3 -t 0.8 a.wav b.wav -o out/
    expect_status 0
    [[ $(inode out/a.wav) == "$a" ]] || fail "-t 0.8 redid a -T 1.25 output"
    run -v --newer -p 3 -T 1.25 a.wav -o out/
    expect_stderr "a.wav -> out/a.wav: up to date"
    run --json --newer -p 3 -T 1.25 a.wav b.wav -o out
    [[ -n $PYTHON ]] || skip "no python3 to parse JSON"
    "$PYTHON" -c 'import json, sys
d = json.load(sys.stdin)
assert [f["status"] for f in d["files"]] == ["up-to-date"] * 2
assert d["summary"]["up_to_date"] == 2 and d["summary"]["skipped"] == 0' \
        <stdout.txt || fail "JSON: $(cat stdout.txt)"
    # Without --newer an existing output is still a skip (exit 1).
    run -q -p 3 -T 1.25 a.wav b.wav -o out
    expect_status 1

    # Other settings: redone without --force, new stamp.
    run -q --newer -p 2 -T 1.25 a.wav b.wav -o out
    expect_status 0
    [[ $(inode out/a.wav) != "$a" && $(inode out/b.wav) != "$b" ]] ||
        fail "a settings change did not redo the outputs"
    [[ $(stamp_of out/a.wav) == *" -p 2 -T 1.25" ]] || fail "stamp: $(stamp_of out/a.wav)"
    run -q --newer --normalize -p 2 -T 1.25 a.wav -o out/
    [[ $(stamp_of out/a.wav) == *" -p 2 -T 1.25 --normalize" ]] ||
        fail "--normalize is a setting: $(stamp_of out/a.wav)"
    # Back to the first settings: byte-identical to the first run.
    run -q --newer -p 3 -T 1.25 a.wav b.wav -o out
    expect_status 0
    cmp -s out/a.wav first.wav || fail "redone output differs from the first run"

    # A touched input: exactly its output is redone.
    touch -d "$MID" out/a.wav out/b.wav
    a=$(inode out/a.wav) b=$(inode out/b.wav)
    touch a.wav
    run --newer -p 3 -T 1.25 a.wav b.wav -o out
    expect_status 0
    expect_stdout "files: 1 ok, 0 failed, 0 skipped, 1 up to date (2 in all)"
    [[ $(inode out/a.wav) != "$a" && $(inode out/b.wav) == "$b" ]] ||
        fail "touching a.wav did not redo exactly out/a.wav"

    # An output tempitch did not make (no stamp), though newer: redone.
    cp b.wav out/b.wav
    run -q --newer -p 3 -T 1.25 a.wav b.wav -o out
    expect_status 0
    [[ $(stamp_of out/b.wav) == *" -p 3 -T 1.25" ]] || fail "a foreign output was kept"

    # Formats with a stamp: FLAC and Ogg keep it too.
    run -q -p 1 a.wav -o a.flac
    run -q --newer -p 1 a.wav -o a.flac
    expect_status 0
    run --newer -p 1 a.wav -o a.flac
    expect_stdout "up to date"
    run --newer -p 2 a.wav -o a.flac
    expect_stdout "1 ok"
    # MP3 keeps the stamp as its ID3 comment: a changed setting is seen.
    run -q -p 2 a.wav -o a.mp3
    expect_status 0
    run --newer -p 2 a.wav -o a.mp3
    expect_status 0
    expect_stdout "up to date"
    run --newer -p 5 a.wav -o a.mp3
    expect_status 0
    expect_stdout "1 ok"
    # A format without strings (AU): nothing tells, so it is made again,
    # and said so (never a stale output kept silently).
    run -q -p 1 a.wav -o a.au
    expect_status 0
    run --newer -p 1 a.wav -o a.au
    expect_status 0
    expect_stdout "1 ok"
    expect_stderr "tempitch: --newer: 1 output in a format that keeps no settings stamp (W64, AU, ...): made again, as nothing tells whether it is current"
    # Refusals stay refusals: the input itself is never "up to date".
    run --newer -p 1 a.wav -o a.wav
    expect_status 1
    expect_stderr "is the input file"
}

case_makefile() {
    command -v make >/dev/null 2>&1 || skip "no make"
    make_inputs in 6
    # Counts the tempitch calls make makes.
    cat >count-tempitch <<EOT
#!/bin/sh
echo call >>"$PWD/calls"
exec "$TEMPITCH" "\$@"
EOT
    chmod +x count-tempitch
    local mk=(make -s -f "$SCRIPTS/make/Makefile" IN=in OUT=out
        "TEMPITCH=$PWD/count-tempitch" "FLAGS=-p 2 -T 1.25")
    "${mk[@]}" -j 3 || fail "first make failed"
    [[ $(wc -l <calls) -eq 6 ]] || fail "first make: $(wc -l <calls) calls, expected 6"
    local f
    for f in in/*.wav; do
        [[ -f out/${f#in/} ]] || fail "out/${f#in/} not made"
    done
    "${mk[@]}" -q || fail "make -q: not up to date after the first make"
    ls -i out >before.txt
    "${mk[@]}" -j 3 || fail "second make failed"
    [[ $(wc -l <calls) -eq 6 ]] || fail "second make ran tempitch"
    ls -i out >after.txt
    cmp -s before.txt after.txt || fail "second make changed outputs"

    # One touched input: exactly one call, one output rewritten.
    touch -d "$MID" out/*.wav
    ls -i out >before.txt
    touch in/clip4.wav
    "${mk[@]}" -q && fail "make -q: up to date after touching an input"
    "${mk[@]}" -j 3 || fail "third make failed"
    [[ $(wc -l <calls) -eq 7 ]] || fail "touching one input: $(($(wc -l <calls) - 6)) calls"
    ls -i out >after.txt
    [[ $(changed) == clip4.wav ]] || fail "not exactly clip4 redone: $(changed)"

    # make -B calls tempitch for every file; --newer keeps them all (exit
    # 0, so make succeeds); other FLAGS redo them all.
    ls -i out >before.txt
    "${mk[@]}" -B -j 3 || fail "make -B failed"
    ls -i out >after.txt
    cmp -s before.txt after.txt || fail "make -B rewrote up-to-date outputs"
    make -s -f "$SCRIPTS/make/Makefile" IN=in OUT=out "TEMPITCH=$TEMPITCH" \
        "FLAGS=-p 3" -B -j 3 || fail "make -B with new FLAGS failed"
    ls -i out >after.txt
    [[ $(changed | wc -l) -eq 6 ]] || fail "new FLAGS did not redo every output"
    # Same bytes as one tempitch run over the folder.
    run -q -p 3 in/*.wav -o single
    expect_status 0
    diff -r out single >/dev/null || fail "make outputs differ from a single run"
}

case_report() {
    gen -d 0.3 a.wav
    gen -d 0.2 -c 1 -r 22050 b.wav
    run -q -p 2 -T 1.25 --report r.jsonl a.wav b.wav missing.wav -o out
    expect_status 1
    [[ $(wc -l <r.jsonl) -eq 3 ]] || fail "first run: $(wc -l <r.jsonl) lines"
    local keys='{"schema","input","output","status","error","about","settings","frames_in","frames_out","rate","channels","audio_seconds","output_seconds","seconds","realtime","clipped","limited","limiter_gain_db","invalid_samples","gain_db","shard"}'
    check_jsonl r.jsonl "all(set(l) == $keys for l in lines)"
    check_jsonl r.jsonl 'all(l["schema"] == 2 for l in lines)'
    check_jsonl r.jsonl '[l["status"] for l in lines] == ["ok", "ok", "failed"]'
    check_jsonl r.jsonl '[l["input"] for l in lines] == ["a.wav", "b.wav", "missing.wav"]'
    check_jsonl r.jsonl "lines[0][\"output\"] == \"out/a.wav\" and lines[0][\"error\"] is None"
    check_jsonl r.jsonl "lines[0][\"frames_in\"] == $(info a.wav frames) and lines[0][\"frames_out\"] == $(info out/a.wav frames)"
    check_jsonl r.jsonl 'lines[1]["rate"] == 22050 and lines[1]["channels"] == 1 and lines[0]["channels"] == 2'
    check_jsonl r.jsonl 'lines[0]["settings"]["semitones"] == 2 and lines[0]["settings"]["tempo"] == 1.25'
    check_jsonl r.jsonl 'lines[0]["settings"]["stamp"].endswith(" -p 2 -T 1.25")'
    check_jsonl r.jsonl 'lines[0]["seconds"] >= 0 and abs(lines[0]["audio_seconds"] - 0.3) < 1e-6'
    check_jsonl r.jsonl 'lines[2]["error"] == "No such file or directory" and lines[2]["frames_in"] is None'
    check_jsonl r.jsonl 'lines[2]["about"] == "missing.wav" and lines[2]["shard"] is None'
    # A second run appends: up to date with --newer, skipped without.
    run -q -p 2 -T 1.25 --newer --report r.jsonl a.wav b.wav -o out
    expect_status 0
    run -q -p 2 -T 1.25 --report r.jsonl a.wav -o out
    expect_status 1
    [[ $(wc -l <r.jsonl) -eq 6 ]] || fail "after appending: $(wc -l <r.jsonl) lines"
    check_jsonl r.jsonl '[l["status"] for l in lines[3:]] == ["up-to-date", "up-to-date", "skipped"]'
    check_jsonl r.jsonl 'lines[3]["error"] is None and lines[5]["error"].startswith("exists")'
    check_jsonl r.jsonl 'lines[5]["about"] == "out/a.wav"'

    # Any byte of a path: quotes, backslashes, control characters,
    # invalid UTF-8 (shown as U+FFFD), and valid UTF-8 kept.
    local weird
    weird=$(printf 'q"b\\s\tt\x01c\xffx\xc3\xa9.wav')
    cp a.wav "$weird"
    run -q --report w.jsonl "$weird" -o wout/
    expect_status 0
    check_jsonl w.jsonl 'lines[0]["input"] == "q\"b\\s\tt\x01c\ufffdx\u00e9.wav"'
    check_jsonl w.jsonl 'lines[0]["output"].startswith("wout/q\"b")'
    grep -q $'\t' w.jsonl && fail "a raw tab in the JSON line"
    [[ $(wc -l <w.jsonl) -eq 1 ]] || fail "a file name broke the line"

    # A report that cannot be opened stops the batch before any work.
    run -q --report nodir/r.jsonl a.wav -o never.wav
    expect_status 1
    expect_stderr "tempitch: nodir/r.jsonl: No such file or directory"
    [[ ! -e never.wav ]] || fail "a file was written without its report"
    run --report "" a.wav -o never.wav
    expect_status 2
    run --bench --report r.jsonl
    expect_status 2
    expect_stderr "--report cannot be used with --bench"
}

case_shard() {
    make_inputs in 12
    run -q -p 2 -T 1.25 in/*.wav -o single
    expect_status 0
    # Three processes at once, one output directory, one report.
    local k pids=()
    for k in 1 2 3; do
        "$TEMPITCH" -q -j 1 -p 2 -T 1.25 --shard "$k/3" --report r.jsonl \
            in/*.wav -o sharded >"out$k.txt" 2>&1 &
        pids+=($!)
    done
    for k in 0 1 2; do
        wait "${pids[$k]}" || fail "shard $((k + 1))/3 failed: $(cat "out$((k + 1)).txt")"
    done
    diff -r single sharded >/dev/null || fail "3 shards differ from one run: $(diff -rq single sharded)"
    [[ $(wc -l <r.jsonl) -eq 12 ]] || fail "report: $(wc -l <r.jsonl) lines, expected 12"
    check_jsonl r.jsonl 'len({l["input"] for l in lines}) == 12'
    check_jsonl r.jsonl 'all(l["status"] == "ok" for l in lines)'
    check_jsonl r.jsonl '{l["shard"] for l in lines} <= {"1/3", "2/3", "3/3"}'
    # Every shard took some, none everything (12 names, fixed hash).
    check_jsonl r.jsonl 'all(0 < sum(l["shard"] == s for l in lines) < 12 for s in ("1/3", "2/3", "3/3"))'

    # The share does not depend on the order of the arguments, nor on how
    # the -o directory is spelt.
    "$PYTHON" -c 'import json, sys
for l in open("r.jsonl"):
    l = json.loads(l)
    if l["shard"] == "2/3":
        print(l["input"])' | sort >two.txt
    local reversed
    mapfile -t reversed < <(printf '%s\n' in/*.wav | sort -r)
    run -q -p 2 -T 1.25 --shard 2/3 "${reversed[@]}" -o ./other//
    expect_status 0
    (cd other && printf 'in/%s\n' *.wav) | sort >two-again.txt
    cmp -s two.txt two-again.txt || fail "shard 2/3 changed with the argument order: $(diff two.txt two-again.txt)"
    # 1/1 is everything.
    run -q -p 2 -T 1.25 --shard 1/1 in/*.wav -o all
    diff -r single all >/dev/null || fail "--shard 1/1 is not the whole batch"
    # An empty share is not an error.
    run -q --shard 2/2 in/clip1.wav -o lone
    expect_status 0

    local bad
    for bad in 0/3 4/3 3 a/b 1/0 1/3x -1/3 ' 1/3' 1/1000001 '' 1//3; do
        run --shard "$bad" in/clip1.wav -o x.wav
        expect_status 2
        expect_stderr "invalid shard"
    done
    run --bench --shard 1/2
    expect_status 2
}

case_cluster_parallel() {
    command -v parallel >/dev/null 2>&1 || skip "GNU parallel not installed"
    make_inputs in 12
    run -q -p -3 in/*.wav -o single
    expect_status 0
    # Three shards at once on this machine (-S :), as on a cluster.
    HOME=$PWD "$SCRIPTS/cluster/parallel-shards" -n 3 -P 3 -S : \
        -t "$TEMPITCH" -r report.jsonl -- -q -j 1 -p -3 in/*.wav -o par/ \
        >par.txt 2>&1 || fail "parallel-shards failed: $(cat par.txt)"
    diff -r single par >/dev/null || fail "parallel shards differ: $(diff -rq single par)"
    check_jsonl report.jsonl 'len(lines) == 12 and len({l["input"] for l in lines}) == 12'
    # Again: every output is up to date (--newer), nothing rewritten.
    ls -i par >before.txt
    HOME=$PWD "$SCRIPTS/cluster/parallel-shards" -n 3 -P 3 -S : \
        -t "$TEMPITCH" -r report.jsonl -- -q -j 1 -p -3 in/*.wav -o par/ \
        >par.txt 2>&1 || fail "second parallel-shards failed: $(cat par.txt)"
    ls -i par >after.txt
    cmp -s before.txt after.txt || fail "resuming rewrote outputs"
    check_jsonl report.jsonl 'len(lines) == 24 and all(l["status"] == "up-to-date" for l in lines[12:])'
}

# expect_share DIR SINGLE N: DIR holds some but not all of the N outputs
# of the single run in SINGLE (one shard's), each the same bytes.
expect_share() {
    local f n=0
    for f in "$1"/*.wav; do
        cmp -s "$f" "$2/${f#"$1"/}" || fail "$f differs from the single run"
        n=$((n + 1))
    done
    ((n > 0 && n < $3)) || fail "one shard made $n of $3 files"
}

# slurm-shards.sbatch under the variables Slurm gives each array task (no
# Slurm here): the union of the tasks of --array=1-3 is a single run; a
# stepped array (1-5:2) is refused rather than leaving shards undone; a
# task rerun alone takes N from --shards; no CPU count is asked for.
case_slurm_script() {
    local script=$SCRIPTS/cluster/slurm-shards.sbatch
    ! grep -q '^#SBATCH --cpus-per-task' "$script" ||
        fail "the script asks for a CPU count: it would stay pending on smaller nodes"
    make_inputs in 9
    run -q -j 1 -p 2 in/*.wav -o single
    expect_status 0
    local k
    for k in 1 2 3; do
        SLURM_ARRAY_TASK_ID=$k SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=3 \
            SLURM_ARRAY_TASK_COUNT=3 SLURM_ARRAY_TASK_STEP=1 \
            SLURM_SUBMIT_DIR=$PWD TEMPITCH=$TEMPITCH \
            bash "$script" report.jsonl -p 2 in/*.wav -o arr/ >task.txt 2>&1 ||
            fail "task $k failed: $(cat task.txt)"
    done
    diff -r single arr >/dev/null || fail "array differs: $(diff -rq single arr)"
    check_jsonl report.jsonl 'len(lines) == 9'
    set +e
    SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=1 SLURM_ARRAY_TASK_MAX=5 \
        SLURM_ARRAY_TASK_COUNT=3 SLURM_ARRAY_TASK_STEP=2 TEMPITCH=$TEMPITCH \
        bash "$script" r2.jsonl -p 2 in/*.wav -o step/ >task.txt 2>&1
    status=$?
    set -e
    [[ $status -eq 2 && ! -e step ]] || fail "a stepped array ran (exit $status): $(cat task.txt)"
    grep -q 'some shards would not run' task.txt || fail "message: $(cat task.txt)"
    # one task alone, N given: its share only, the same bytes
    rm -rf arr/
    SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_TASK_MIN=2 SLURM_ARRAY_TASK_MAX=2 \
        SLURM_ARRAY_TASK_COUNT=1 TEMPITCH=$TEMPITCH \
        bash "$script" --shards 3 r3.jsonl -p 2 in/*.wav -o arr/ >task.txt 2>&1 ||
        fail "a rerun with --shards failed: $(cat task.txt)"
    expect_share arr single 9
}

# A free TCP port on localhost, for a private daemon.
free_port() {
    "$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Stops the daemons of start_slurm by their PIDs and waits (a few
# seconds: they shut down gracefully) until they are gone.
stop_slurm() {
    local d=$1 p pid i
    for p in slurmd slurmctld munged; do
        [[ -f $d/$p.pid ]] || continue
        pid=$(cat "$d/$p.pid")
        kill "$pid" 2>/dev/null || continue
        for ((i = 0; i < 100; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    done
}

# Starts munged, slurmctld and slurmd on this host, in the scratch
# directory, with their own key, socket, ports, state and logs (nothing of
# the machine's own Slurm, if it has one, is touched), and stops them by
# PID at the end of the case.  Sets SLURM_CONF.
start_slurm() {
    local d=$PWD/slurm host
    host=$(hostname -s)
    mkdir -p "$d/state" "$d/spool"
    head -c 1024 /dev/urandom >"$d/munge.key"
    chmod 600 "$d/munge.key"
    at_exit "stop_slurm '$d'"
    /usr/sbin/munged -f --key-file="$d/munge.key" --socket="$d/munge.sock" \
        --log-file="$d/munged.log" --pid-file="$d/munged.pid" \
        --seed-file="$d/munged.seed" || fail "munged did not start"
    cat >"$d/slurm.conf" <<EOT
ClusterName=tempitchtest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$d/munge.sock
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOT
    export SLURM_CONF=$d/slurm.conf
    /usr/sbin/slurmctld -c -i || fail "slurmctld did not start: $(tail -5 "$d/slurmctld.log")"
    /usr/sbin/slurmd || fail "slurmd did not start: $(tail -5 "$d/slurmd.log")"
    local i
    for ((i = 0; i < 100; i++)); do
        [[ $(sinfo -h -o %t 2>/dev/null) == idle ]] && return 0
        sleep 0.2
    done
    fail "the node did not come up: $(sinfo 2>&1; tail -5 "$d/slurmd.log")"
}

# submit ARGS...: submits slurm-shards.sbatch with ARGS (sbatch's, then
# the script's) and waits until the job has left the queue, polling
# squeue every 0.2 s (sbatch --wait polls much more slowly).
submit() {
    local id i
    id=$(TEMPITCH=$TEMPITCH sbatch --parsable --export=ALL "$@") ||
        fail "sbatch refused: $*"
    for ((i = 0; i < 600; i++)); do
        [[ -z $(squeue -h -j "${id%%;*}" 2>/dev/null) ]] && return 0
        sleep 0.2
    done
    fail "job $id still queued after 120 s: $(squeue 2>&1)"
}

# slurm-shards.sbatch on a real single-node Slurm 22.05 (Debian's slurmd,
# slurmctld and munge, installed by scripts/test): the union of a 1-3
# array equals a single run byte for byte; a stepped array fails without
# writing; a task rerun alone with --shards does its share.
case_slurm_real() {
    local tool
    for tool in /usr/sbin/munged /usr/sbin/slurmctld /usr/sbin/slurmd; do
        [[ -x $tool ]] || skip "no $tool (slurmd, slurmctld, munge)"
    done
    command -v sbatch >/dev/null 2>&1 || skip "no sbatch (slurm-client)"
    [[ $(id -u) -eq 0 ]] || skip "slurmd needs root"
    # the daemons run the command as it is: the other passes test it
    sanitized && skip "sanitizer build"
    [[ -n $PYTHON ]] || skip "no python3"
    start_slurm
    local script=$SCRIPTS/cluster/slurm-shards.sbatch
    make_inputs in 7
    run -q -j 1 -p 2 in/*.wav -o single
    expect_status 0
    submit --array=1-3 "$script" report.jsonl -p 2 in/*.wav -o arr/
    diff -r single arr >/dev/null ||
        fail "the array differs: $(diff -rq single arr; cat tempitch-*.log)"
    check_jsonl report.jsonl 'len(lines) == 7'
    rm -f tempitch-*.log
    submit --array=1-5:2 "$script" r2.jsonl -p 2 in/*.wav -o step/
    [[ ! -e step ]] || fail "a stepped array ran: $(cat tempitch-*.log)"
    [[ $(grep -l 'some shards would not run' tempitch-*.log | wc -l) -eq 3 ]] ||
        fail "not every task of the stepped array said why: $(cat tempitch-*.log)"
    rm -rf arr tempitch-*.log
    submit --array=2 "$script" --shards 3 r3.jsonl -p 2 in/*.wav -o arr/
    expect_share arr single 7
}

run_case
