-- gopls-guard through nvim-lspconfig's legacy setup() (Neovim 0.7 – 0.10, or any version with an
-- nvim-lspconfig that still has require('lspconfig')). Paste into init.lua.
-- On Neovim 0.11+ with a current nvim-lspconfig, use lsp/gopls.lua instead: require('lspconfig')
-- is deprecated there.
require('lspconfig').gopls.setup({
  -- Extra gopls flags go after the program, e.g. { 'gopls-guard', '-remote=auto' }.
  cmd = { 'gopls-guard' },

  -- Environment for the guard (merged into Neovim's own environment).
  -- cmd_env = { GOPLS_GUARD_GOPLS_VERSION = 'v0.16.2' },
})
