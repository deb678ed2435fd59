# Headless Kakoune + kakoune-lsp session for gopls-guard tests. Loaded by run.sh as
#   kak -n -ui dummy -s <session> -e 'source .../session.kak' <file.go>
# Everything it needs comes from the environment of the kak process (set by run.sh):
#   KAK_LSP        path of the kak-lsp binary (kakoune-lsp 22.0.0 was used to write this)
#   GG_SERVER      language server command (one executable path)
#   GG_SERVER_ARGS optional, whitespace-separated arguments for it
#   GG_ROOT        optional project root; default: nearest parent with go.mod or .git
#   GG_ACTION      optional code action title to run (exact match first, else first substring)
#   GG_WORK        scratch dir where this script leaves what it saw, for run.sh to collect
# The session itself only sets things up and records; run.sh drives it with `kak -p`.

# kak-lsp without arguments prints its Kakoune script (rc/lsp.kak + rc/servers.kak).
evaluate-commands %sh{ "$KAK_LSP" }

# lsp_cmd is run through `eval` by lsp-start, so it must be shell-quoted.
set-option global lsp_cmd %sh{ printf "'%s'" "$(printf %s "$KAK_LSP" | sed "s/'/'\\\\''/g")" }
# lsp_debug makes kak-lsp copy every JSON-RPC message to *debug* ("To server gopls: {...}"),
# which is how run.sh proves workspace/executeCommand was really sent.
set-option global lsp_debug true
# No auto-hover / breadcrumbs noise is needed, but the defaults are harmless; keep them.

# Filetype detection is not loaded under -n, so set it by hand; lsp_servers is the
# kakoune-lsp >= 18 way to configure servers (no kak-lsp.toml needed).
declare-option -hidden str gg_buffer %val{bufname}
set-option buffer filetype go
set-option buffer lsp_language_id go
set-option buffer lsp_servers %sh{
    toml() { printf '"%s"' "$(printf %s "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
    printf '[gopls]\n'
    printf 'command = %s\n' "$(toml "$GG_SERVER")"
    printf 'args = ['
    sep=
    for a in $GG_SERVER_ARGS; do printf '%s%s' "$sep" "$(toml "$a")"; sep=', '; done
    printf ']\n'
    if [ -n "$GG_ROOT" ]; then
        printf 'root = %s\n' "$(toml "$GG_ROOT")"
    else
        printf 'root_globs = ["go.mod", ".git"]\n'
    fi
}

# --- recorders (each writes into $GG_WORK) ---------------------------------------------

# Every textDocument/publishDiagnostics ends with kak-lsp setting these options on the buffer,
# so this hook fires once per publication (also for an empty one).
hook global BufSetOption lsp_inline_diagnostics=.* %{
    nop %sh{
        printf '%s %s %s %s %s\n' "$kak_opt_lsp_diagnostic_error_count" \
            "$kak_opt_lsp_diagnostic_warning_count" "$kak_opt_lsp_diagnostic_info_count" \
            "$kak_opt_lsp_diagnostic_hint_count" "$kak_buffile" >> "$GG_WORK/published"
    }
}

# lsp-diagnostics answers with this callback; save the *diagnostics* text instead of only
# showing it (other goto buffers keep the stock behaviour).
define-command -override -hidden lsp-show-goto-buffer -params 4..5 %{
    evaluate-commands %sh{
        if [ "$1" = '*diagnostics*' ]; then
            printf '%s\n' "$4" > "$GG_WORK/diagnostics.tmp"
            mv "$GG_WORK/diagnostics.tmp" "$GG_WORK/diagnostics.txt"
        else
            echo 'gg-stock-show-goto-buffer %arg{@}'
        fi
    }
}
define-command -hidden gg-stock-show-goto-buffer -params 4..5 %{
    evaluate-commands -save-regs '"' -try-client %opt[toolsclient] %{
        edit! -scratch %arg{1}
        set-option buffer filetype %arg{2}
        set-option buffer jump_current_line 0
        set-option buffer lsp_project_root "%arg{3}/"
        set-register '"' %arg{4}
        execute-keys Rgg
    }
    try %{
        evaluate-commands -try-client %opt[toolsclient] %{
            set-option buffer jump_current_line %arg{5}
            execute-keys %arg{5} g
        }
    }
}

# lsp-code-actions ends here with: [-auto-single] <title> <command> [<title> <command>]...
# The stock version opens a menu, which nothing can answer headless; record the titles and
# run the command of the chosen one, exactly as picking it in the menu would.
define-command -override -hidden lsp-perform-code-action -params 1.. %{
    evaluate-commands %sh{
        [ "$1" = -auto-single ] && shift
        w=$GG_WORK
        : > "$w/actions.tmp"
        n=0
        for arg in "$@"; do
            n=$((n + 1))
            [ $((n % 2)) -eq 1 ] && printf '%s\n' "$arg" >> "$w/actions.tmp"
        done
        mv "$w/actions.tmp" "$w/actions.txt"
        [ -n "$GG_ACTION" ] || exit 0
        pick() { # $1 = exact|substring, rest = title/command pairs
            mode=$1; shift
            while [ $# -ge 2 ]; do
                case $mode in
                    exact) [ "$1" = "$GG_ACTION" ] && { printf '%s\n' "$1" > "$w/action-title"; printf '%s\n' "$2"; return 0; } ;;
                    *) case $1 in *"$GG_ACTION"*) printf '%s\n' "$1" > "$w/action-title"; printf '%s\n' "$2"; return 0 ;; esac ;;
                esac
                shift 2
            done
            return 1
        }
        # The command is Kakoune code (lsp-execute-command ..., lsp-apply-workspace-edit ...
        # or lsp-code-action-resolve-request ...); printing it makes Kakoune evaluate it.
        if cmd=$(pick exact "$@") || cmd=$(pick substring "$@"); then
            printf '%s\n' "$cmd" > "$w/action-command"
            printf '%s\n' "$cmd"
        else
            printf 'no code action titled %s\n' "$GG_ACTION" > "$w/action-missing"
        fi
    }
}

# Both lsp-execute-command and its -sync variant end in this one; note that it ran.
define-command -override -hidden lsp-execute-command-request -params 3..4 %{
    nop %sh{ printf '%s\t%s\t%s\n' "$2" "$3" "$4" >> "$GG_WORK/execute-command" }
    lsp-send workspace/executeCommand %arg{1} %arg{2} %arg{3} %arg{4}
}
define-command -override -hidden lsp-apply-workspace-edit-request -params 2 %{
    nop %sh{ printf '%s\n' "$2" >> "$GG_WORK/workspace-edit" }
    lsp-send apply-workspace-edit %arg{1} %arg{2}
}

# Errors and window/showMessage: keep the stock rendering, and record them one file each.
define-command -hidden gg-record -params 3 %{
    nop %sh{
        mkdir -p "$GG_WORK/messages"
        f="$GG_WORK/messages/$(date +%s%N)-$$"
        printf '%s\n%s\n%s' "$1" "$2" "$3" > "$f"
    }
}
define-command -override -hidden lsp-show-error -params 1 %{
    gg-record error kak-lsp %arg{1}
    echo -debug "LSP: %arg{1}"
}
define-command -override -hidden lsp-show-message-error -params 2 %{
    gg-record error %arg{1} %arg{2}
    echo -debug "LSP: error from server %arg{1}: %arg{2}"
}
define-command -override -hidden lsp-show-message-warning -params 2 %{
    gg-record warning %arg{1} %arg{2}
    echo -debug "LSP: warning from server %arg{1}: %arg{2}"
}
define-command -override -hidden lsp-show-message-info -params 2 %{
    gg-record info %arg{1} %arg{2}
    echo -debug "LSP: info from server %arg{1}: %arg{2}"
}
# A showMessageRequest would open a menu nobody can answer: record the prompt only.
define-command -override -hidden lsp-show-message-request -params 4.. %{
    gg-record request %arg{1} %arg{3}
    echo -debug "LSP: message request: %arg{1}"
}

# --- commands run.sh sends with `kak -p` (always via evaluate-commands -client client0) ---

define-command -hidden gg-dump-debug -params 1 %{
    evaluate-commands -buffer *debug* %{ write -force %arg{1} }
}
define-command -hidden gg-code-actions -params 1 %{
    buffer %opt{gg_buffer}
    select %arg{1}
    lsp-code-actions
}
define-command -hidden gg-dump-buffer -params 1 %{
    # the file's buffer as it is now (an applied workspace edit is not saved to disk)
    evaluate-commands -buffer %opt{gg_buffer} %{
        echo -to-file %arg{1} -- %sh{ [ "$kak_modified" = true ] && echo modified || echo unmodified }
        evaluate-commands -draft %{ execute-keys '%' ; echo -to-file "%arg{1}.text" -- %val{selection} }
    }
}
define-command -hidden gg-quit %{
    # lsp-exit waits until kak-lsp has shut the language server down (shutdown + exit).
    try %{ lsp-exit }
    quit!
}

# didOpen, didChangeConfiguration and the server start happen here.
lsp-enable-window
nop %sh{ : > "$GG_WORK/ready" }
