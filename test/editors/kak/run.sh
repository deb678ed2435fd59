#!/bin/sh
# Drive a real, headless Kakoune + kakoune-lsp against one Go file and write what it saw as
# one JSON object. See README.md beside this file.
#
# Required env:
#   GG_FILE    the .go file to open (inside a Go module)
#   GG_OUT     where to write the JSON result
#   GG_SERVER  language server executable (e.g. a gopls-guard wrapper, or gopls itself)
#   KAK_LSP    path of the kak-lsp binary
# Optional env:
#   GG_ACTION       code action title to run (exact title first, else first title containing it)
#   GG_SELECTION    Kakoune selection for the code-action request, "line.col,line.col"
#                   (1-based, inclusive); default 1.1,1.1 (line 1 column 1)
#   GG_SERVER_ARGS  whitespace-separated arguments for GG_SERVER
#   GG_ROOT         project root to announce; default: nearest parent with go.mod or .git
#   GG_TIMEOUT      seconds to wait for the first non-empty diagnostics (default 60)
#   GG_SETTLE       seconds to wait after them for more publications (default 1)
#   GG_STEP_TIMEOUT seconds for each later step (default 15)
#   KAK             kak binary (default: kak from PATH)
# Exit status: 0 when the JSON was written (even if some step timed out: see "timeouts"),
# 2 on a usage error, 1 if Kakoune could not be started at all.

set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${GG_FILE:?GG_FILE is required}" "${GG_OUT:?GG_OUT is required}"
: "${GG_SERVER:?GG_SERVER is required}" "${KAK_LSP:?KAK_LSP is required}"
GG_ACTION=${GG_ACTION-}
GG_SELECTION=${GG_SELECTION:-1.1,1.1}
GG_SERVER_ARGS=${GG_SERVER_ARGS-}
GG_ROOT=${GG_ROOT-}
GG_TIMEOUT=${GG_TIMEOUT:-60}
GG_SETTLE=${GG_SETTLE:-1}
GG_STEP_TIMEOUT=${GG_STEP_TIMEOUT:-15}
KAK=${KAK:-kak}
[ -f "$GG_FILE" ] || { echo "run.sh: no such file: $GG_FILE" >&2; exit 2; }
[ -x "$KAK_LSP" ] || { echo "run.sh: KAK_LSP is not executable: $KAK_LSP" >&2; exit 2; }
command -v "$KAK" >/dev/null || { echo "run.sh: kak not found" >&2; exit 2; }
GG_FILE=$(cd "$(dirname "$GG_FILE")" && pwd)/$(basename "$GG_FILE")

GG_WORK=$(mktemp -d "${TMPDIR:-/tmp}/gg-kak.XXXXXX")
session=gg-kak-$$
export GG_FILE GG_ACTION GG_SERVER GG_SERVER_ARGS GG_ROOT GG_WORK KAK_LSP
# kak-lsp must find `kak` (it answers with `kak -p <session>`).
case $KAK in */*) PATH=$(dirname "$KAK"):$PATH; export PATH ;; esac

kak_pid=
cleanup() {
    if [ -n "$kak_pid" ] && kill -0 "$kak_pid" 2>/dev/null; then
        kill "$kak_pid" 2>/dev/null
        sleep 0.5
        kill -9 "$kak_pid" 2>/dev/null
    fi
    # A kak-lsp left behind (only if Kakoune died before lsp-exit) is ended by its own pid.
    if [ -s "$GG_WORK/lsp-pid" ]; then
        p=$(cat "$GG_WORK/lsp-pid")
        [ "$(cat /proc/"$p"/comm 2>/dev/null)" = kak-lsp ] && kill "$p" 2>/dev/null
    fi
    [ -n "${GG_KEEP_WORK-}" ] || rm -rf "$GG_WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

now() { date +%s; }
send() { printf '%s\n' "$1" | "$KAK" -p "$session" 2>>"$GG_WORK/kak-p.err"; }
# Kakoune quoting: '...' with ' doubled.
kq() { printf "'%s'" "$(printf %s "$1" | sed "s/'/''/g")"; }
timeouts=
# wait_for SECONDS SHELL-CONDITION NAME
wait_for() {
    end=$(($(now) + $1))
    while ! eval "$2"; do
        if [ "$(now)" -ge "$end" ] || ! kill -0 "$kak_pid" 2>/dev/null; then
            timeouts="$timeouts $3"
            return 1
        fi
        sleep 0.1
    done
}

t0=$(date +%s%N)
ms() { echo $((($(date +%s%N) - t0) / 1000000)); }

# -n: no user/system kakrc; -ui dummy: a real client (client0) with no terminal.
"$KAK" -n -ui dummy -s "$session" -e "source $(kq "$here/session.kak")" "$GG_FILE" \
    </dev/null >"$GG_WORK/kak.log" 2>&1 &
kak_pid=$!
wait_for 10 '[ -e "$GG_WORK/ready" ]' start || { cat "$GG_WORK/kak.log" >&2; exit 1; }
t_ready=$(ms)
send "evaluate-commands -client client0 %{ nop %sh{ printf %s \"\$kak_opt_lsp_pid_file\" > \"\$GG_WORK/lsp-pid-file\" } }"

# 1. diagnostics: the first publication with at least one diagnostic, then a short settle.
nonempty='[ -s "$GG_WORK/published" ] && awk "\$1+\$2+\$3+\$4 > 0 { f = 1 } END { exit !f }" "$GG_WORK/published"'
if wait_for "$GG_TIMEOUT" "$nonempty" diagnostics; then sleep "$GG_SETTLE"; fi
t_diag=$(ms)
[ -s "$GG_WORK/lsp-pid-file" ] && cp "$(cat "$GG_WORK/lsp-pid-file")" "$GG_WORK/lsp-pid" 2>/dev/null
send "evaluate-commands -client client0 lsp-diagnostics"
wait_for "$GG_STEP_TIMEOUT" '[ -e "$GG_WORK/diagnostics.txt" ]' diagnostics-buffer

# 2. code actions at GG_SELECTION; with GG_ACTION, session.kak runs the matching one.
msgs_before=$(ls "$GG_WORK/messages" 2>/dev/null | wc -l)
send "evaluate-commands -client client0 %{ gg-code-actions $(kq "$GG_SELECTION") }"
# Done when the titles are there, or kak-lsp reported an error (e.g. "no actions available").
wait_for "$GG_STEP_TIMEOUT" '[ -e "$GG_WORK/actions.txt" ] || [ "$(ls "$GG_WORK/messages" 2>/dev/null | wc -l)" -gt "$msgs_before" ]' code-actions
t_actions=$(ms)

# 3. the chosen action: wait until kak-lsp logged the executeCommand (or workspace edit) it
#    sent to the server. A code action with lazy resolution goes codeAction/resolve first.
sent_cmd='grep -q "^LSP: DEBG To server [^:]*: .*\"method\" *: *\"workspace/executeCommand\"" "$GG_WORK/debug.txt" 2>/dev/null'
if [ -e "$GG_WORK/action-command" ]; then
    end=$(($(now) + GG_STEP_TIMEOUT))
    while :; do
        send "evaluate-commands -client client0 %{ gg-dump-debug $(kq "$GG_WORK/debug.txt") }"
        sleep 0.3
        if eval "$sent_cmd"; then break; fi
        # an edit-only action never sends executeCommand: its applied edit is the end
        if [ -e "$GG_WORK/workspace-edit" ] && [ ! -e "$GG_WORK/execute-command" ]; then
            sleep 0.5
            [ -e "$GG_WORK/execute-command" ] || break
        fi
        if [ "$(now)" -ge "$end" ]; then timeouts="$timeouts execute-command"; break; fi
    done
fi
t_exec=$(ms)

# 4. final *debug* dump, then quit: lsp-exit makes kak-lsp shut the server down.
send "evaluate-commands -client client0 %{ gg-dump-debug $(kq "$GG_WORK/debug.txt"); gg-dump-buffer $(kq "$GG_WORK/buffer") }"
wait_for 5 '[ -e "$GG_WORK/buffer.text" ]' dump
send "evaluate-commands -client client0 gg-quit"
end=$(($(now) + GG_STEP_TIMEOUT))
while kill -0 "$kak_pid" 2>/dev/null && [ "$(now)" -lt "$end" ]; do sleep 0.1; done
if kill -0 "$kak_pid" 2>/dev/null; then timeouts="$timeouts quit"; else wait "$kak_pid" 2>/dev/null; kak_status=$?; fi
t_quit=$(ms)

# ---- assemble the JSON ----------------------------------------------------------------
jstr() { # JSON string of $1
    printf '%s' "$1" | tr -d '\000-\010\013\014\016-\037' | awk '
        BEGIN { ORS = ""; printf "\"" }
        { gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t"); gsub(/\r/, "\\r")
          if (NR > 1) printf "\\n"; printf "%s", $0 }
        END { printf "\"" }'
}
jlist() { # JSON array of strings, one per line of file $1
    printf '['; sep=
    if [ -s "$1" ]; then
        while IFS= read -r l || [ -n "$l" ]; do printf '%s%s' "$sep" "$(jstr "$l")"; sep=,; done < "$1"
    fi
    printf ']'
}

out=$GG_WORK/out.json
{
    printf '{\n'
    printf '"kak_version": %s,\n' "$(jstr "$(dpkg-query -W -f='${Version}' kakoune 2>/dev/null || "$KAK" -version)")"
    printf '"kak_lsp_version": %s,\n' "$(jstr "$("$KAK_LSP" --version 2>/dev/null)")"
    printf '"file": %s,\n' "$(jstr "$GG_FILE")"
    # Per publication kak-lsp received: error warning info hint counts for the buffer.
    printf '"publications": ['
    sep=
    if [ -s "$GG_WORK/published" ]; then
        while read -r e w i h f; do
            printf '%s{"errors":%s,"warnings":%s,"infos":%s,"hints":%s}' "$sep" "$e" "$w" "$i" "$h"; sep=,
        done < "$GG_WORK/published"
    fi
    printf '],\n'
    # Parsed from the *diagnostics* buffer: "<file>:<line>:<col>: [severity][source][code] message"
    printf '"diagnostics": ['
    sep=
    if [ -s "$GG_WORK/diagnostics.txt" ]; then
        while IFS= read -r l; do
            after=${l#*:*:*: }                   # "[severity][source][code] message"
            case $after in "["*) ;; *) continue ;; esac   # related-information lines
            f=${l%%:*}; r=${l#*:}; line=${r%%:*}; r=${r#*:}; col=${r%%:*}
            case $line$col in *[!0-9]*|'') continue ;; esac
            sev=${after#\[}; sev=${sev%%\]*}
            case $sev in error|warning|info|hint) ;; *) continue ;; esac
            text=$after
            # message: without the "[..][..] " prefix and the " -- Description: <url>" tail
            msg=$(printf '%s' "${after#*\] }" | sed -e 's/ -- Description: [^ ]*$//' -e 's/␊/\n/g')
            printf '%s\n{"file":%s,"line":%s,"lnum":%s,"col":%s,"severity":%s,"message":%s,"text":%s}' \
                "$sep" "$(jstr "$f")" "$line" "$((line - 1))" "$col" "$(jstr "$sev")" "$(jstr "$msg")" "$(jstr "$text")"
            sep=,
        done < "$GG_WORK/diagnostics.txt"
    fi
    printf '],\n'
    # Raw textDocument/publishDiagnostics params as received from the server (debug log).
    printf '"publish_diagnostics_raw": ['
    sep=
    if [ -s "$GG_WORK/debug.txt" ]; then
        grep '^LSP: DEBG From server [^:]*: {.*"method" *: *"textDocument/publishDiagnostics"' "$GG_WORK/debug.txt" |
            sed 's/^LSP: DEBG From server [^:]*: //' > "$GG_WORK/pub.raw"
        while IFS= read -r j; do printf '%s\n%s' "$sep" "$j"; sep=,; done < "$GG_WORK/pub.raw"
    fi
    printf '],\n'
    printf '"selection": %s,\n' "$(jstr "$GG_SELECTION")"
    printf '"code_actions": %s,\n' "$(jlist "$GG_WORK/actions.txt")"
    printf '"action": {"requested": %s, "title": %s, "command": %s, "missing": %s, ' \
        "$(jstr "$GG_ACTION")" \
        "$( [ -e "$GG_WORK/action-title" ] && jstr "$(cat "$GG_WORK/action-title")" || echo null)" \
        "$( [ -e "$GG_WORK/action-command" ] && jstr "$(cat "$GG_WORK/action-command")" || echo null)" \
        "$( [ -e "$GG_WORK/action-missing" ] && echo true || echo false)"
    # kak-side: lsp-execute-command-request ran (command, args, server) / an edit was applied
    printf '"execute_command_requests": %s, ' "$(jlist "$GG_WORK/execute-command")"
    printf '"workspace_edits": %s, ' "$( [ -e "$GG_WORK/workspace-edit" ] && wc -l < "$GG_WORK/workspace-edit" | tr -d ' ' || echo 0)"
    # wire-side: what kak-lsp actually wrote to the server
    printf '"execute_command_sent": ['
    sep=
    if [ -s "$GG_WORK/debug.txt" ]; then
        grep '^LSP: DEBG To server [^:]*: {.*"method" *: *"workspace/executeCommand"' "$GG_WORK/debug.txt" |
            sed 's/^LSP: DEBG To server [^:]*: //' > "$GG_WORK/exec.raw"
        while IFS= read -r j; do printf '%s%s' "$sep" "$j"; sep=,; done < "$GG_WORK/exec.raw"
    fi
    printf '], "executed": %s},\n' "$( [ -s "$GG_WORK/exec.raw" ] && echo true || echo false)"
    printf '"buffer_modified": %s, "buffer_after": %s,\n' \
        "$( [ "$(cat "$GG_WORK/buffer" 2>/dev/null)" = modified ] && echo true || echo false)" \
        "$( [ -e "$GG_WORK/buffer.text" ] && jstr "$(cat "$GG_WORK/buffer.text")" || echo null)"
    # errors from kak-lsp and window/showMessage(Request) from the server, in arrival order
    printf '"messages": ['
    sep=
    for m in $(ls "$GG_WORK/messages" 2>/dev/null); do
        { IFS= read -r lvl; IFS= read -r src; } < "$GG_WORK/messages/$m"
        body=$(tail -n +3 "$GG_WORK/messages/$m")
        printf '%s\n{"level":%s,"from":%s,"message":%s}' "$sep" "$(jstr "$lvl")" "$(jstr "$src")" "$(jstr "$body")"
        sep=,
    done
    printf '],\n'
    printf '"timings_ms": {"ready": %s, "diagnostics": %s, "code_actions": %s, "action": %s, "quit": %s},\n' \
        "$t_ready" "$t_diag" "$t_actions" "$t_exec" "$t_quit"
    printf '"timeouts": ['; sep=
    for t in $timeouts; do printf '%s"%s"' "$sep" "$t"; sep=,; done
    printf '],\n'
    printf '"kak_exit": %s\n' "${kak_status:-null}"
    printf '}\n'
} > "$out"
mkdir -p "$(dirname "$GG_OUT")"
cp "$GG_WORK/debug.txt" "$GG_OUT.debug.txt" 2>/dev/null || :
mv "$out" "$GG_OUT"
