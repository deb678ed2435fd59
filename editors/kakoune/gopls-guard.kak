# gopls-guard for kakoune-lsp 18 and later (servers are configured in kakrc through the buffer
# option lsp_servers). Paste into your kakrc after kakoune-lsp is loaded (the
# `eval %sh{kak-lsp}` line, or plug.kak's config block). For kakoune-lsp 17 and older, see
# kak-lsp.toml next to this file.
#
# kakoune-lsp's own Go hook only fills lsp_servers when it is still empty, so this one wins; the
# remove-hooks just drops the default for good.
remove-hooks global lsp-filetype-go
hook -group lsp-filetype-go global BufSetOption filetype=go %{
    set-option buffer lsp_servers %{
        [gopls]
        command = "gopls-guard"
        # Extra gopls flags, e.g. ["-remote=auto"].
        args = []
        root_globs = ["go.work", "go.mod", ".git", ".hg"]
        # Environment for the guard.
        envs = {}
        # envs = { GOPLS_GUARD_GOPLS_VERSION = "v0.16.2" }
        [gopls.settings.gopls]
        # gopls settings, see https://go.dev/gopls/settings
        usePlaceholders = true
    }
}
