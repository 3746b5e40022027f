#!/usr/bin/env bash
# The three copies of the user documentation (--help, the man page, the
# README) against the program itself: every long option of the options
# table, every --format and --subtype name, every field of a --report
# line (the man page holds the schema) and every format that standard
# input reads or refuses must be in each.  A new option, field or format
# that one copy lacks fails here.
#
# usage: docs.sh CASE TEMPITCH GEN_SIGNAL WAVINFO SOURCE_ROOT

root=$(cd "$5" && pwd) # before lib.sh leaves for its scratch directory
# shellcheck source=tests/integration/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
man=$root/man/tempitch.1
readme=$root/README.md

# in_docs WORD MAN_WORD: WORD is in --help and the README, MAN_WORD (the
# same with the man page's escaped hyphens) in the man page.
in_docs() {
    grep -qF -- "$1" help.txt || fail "--help lacks $1"
    grep -qF -- "$1" "$readme" || fail "README.md lacks $1"
    grep -qF -- "$2" "$man" || fail "man/tempitch.1 lacks $2"
}
man_escaped() {
    printf '%s' "${1//-/\\-}"
}

case_options() {
    "$TEMPITCH" --help >help.txt
    local names n=0
    names=$(sed -n '/^const struct cli_option optable/,/^};/p' \
        "$root/src/cli/optable.c" | sed -n 's/.*{"\([a-z0-9-]*\)",.*/\1/p')
    [[ -n $names ]] || fail "no long options found in src/cli/optable.c"
    for name in $names; do
        in_docs "--$name" "$(man_escaped "--$name")"
        n=$((n + 1))
    done
    [[ $n -ge 30 ]] || fail "only $n long options found"
}

case_formats() {
    "$TEMPITCH" --help >help.txt
    local kind list
    for kind in format subtype; do
        run --$kind nosuch in.wav -o out.wav
        expect_status 2
        list=$(sed -n "s/.*expected one of: \(.*\))$/\1/p" stderr.txt | tr -d ,)
        [[ -n $list ]] || fail "no --$kind list in: $(cat stderr.txt)"
        for name in $list; do
            grep -qw -- "$name" help.txt || fail "--help lacks --$kind $name"
            grep -qw -- "$name" "$readme" || fail "README.md lacks --$kind $name"
            grep -qw -- "$name" "$man" || fail "man/tempitch.1 lacks --$kind $name"
        done
    done
}

case_report_fields() {
    gen -d 0.2 in.wav
    run -q in.wav -o out.wav --report r.jsonl
    expect_status 0
    command -v python3 >/dev/null 2>&1 || skip "no python3 to read the JSON"
    local keys
    keys=$(python3 -c 'import json, sys
def walk(d):
    for k, v in d.items():
        yield k
        if isinstance(v, dict):
            yield from walk(v)
print(" ".join(walk(json.loads(open(sys.argv[1]).readline()))))' r.jsonl)
    for k in $keys; do
        grep -qF -- "$(man_escaped "$k")" "$man" || grep -qF -- "$k" "$man" ||
            fail "man/tempitch.1 lacks the --report field $k"
    done
}

# between TEXT START END: the part of the one-line TEXT from START to END.
between() {
    local t=${1#*"$2"}
    [[ $t != "$1" ]] || return 0
    printf '%s' "${t%%"$3"*}"
}

case_stdin_formats() {
    # What standard input reads and what it refuses, tried on each format
    # through a pipe, against the sentence of each copy that lists them.
    "$TEMPITCH" --help >help.txt
    local h m r
    h=$(tr '\n' ' ' <help.txt | tr -s ' ')
    m=$(tr '\n' ' ' <"$man" | tr -s ' ')
    r=$(tr '\n' ' ' <"$readme" | tr -s ' ')
    local reads=("$(between "$h" "reads stdin (" "; not")"
        "$(between "$m" "Standard input may hold" "cannot read")"
        "$(between "$r" "stdin may hold" "cannot")")
    local refuses=("$(between "$h" "; not " ":")"
        "$(between "$m" "cannot read " " from a pipe")"
        "$(between "$r" "cannot read " " from a pipe")")
    local i
    for i in 0 1 2; do
        [[ -n ${reads[i]} && -n ${refuses[i]} ]] ||
            fail "copy $i (help, man, README) has no stdin sentence"
    done
    gen -d 0.2 -r 48000 in.wav
    local f word list
    for f in au aiff w64 ogg opus mp3 flac caf rf64; do
        run -q in.wav -o "in.$f"
        expect_status 0
        run_piped "in.$f" -q - -o "out-$f.wav"
        local rc=$status
        case $f in
        ogg) word="Ogg Vorbis" ;;
        opus) word=Opus ;;
        *) word=$(tr a-z A-Z <<<"$f") ;;
        esac
        for i in 0 1 2; do
            if [[ $rc -eq 0 ]]; then list=${reads[i]}; else list=${refuses[i]}; fi
            [[ $list == *"$word"* ]] ||
                fail "$f through a pipe: exit $rc, but copy $i (help, man, README) says otherwise: '$list'"
        done
    done
}

run_case
