-- gopls-guard for Neovim 0.11+ (vim.lsp.config / vim.lsp.enable).
--
-- Put this file at ~/.config/nvim/lsp/gopls.lua, or at ~/.config/nvim/after/lsp/gopls.lua when
-- nvim-lspconfig is installed (its own lsp/gopls.lua comes later on 'runtimepath' and would
-- otherwise win), then in init.lua:
--
--   vim.lsp.enable('gopls')
--
-- Any table returned here is merged (vim.tbl_deep_extend) with the other lsp/gopls.lua files on
-- 'runtimepath'; vim.lsp.config('gopls', {...}) calls in init.lua override both.
return {
  -- Extra gopls flags go after the program, e.g. { 'gopls-guard', '-remote=auto' }.
  cmd = { 'gopls-guard' },

  -- Environment for the guard (merged into Neovim's own environment).
  -- cmd_env = { GOPLS_GUARD_GOPLS_VERSION = 'v0.16.2' },

  filetypes = { 'go', 'gomod', 'gowork', 'gotmpl' },
  root_markers = { 'go.work', 'go.mod', '.git' },
}
