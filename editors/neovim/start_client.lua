-- gopls-guard for Neovim 0.7 – 0.10 with no plugins: vim.lsp.start_client + vim.lsp.buf_attach_client
-- from a FileType autocmd. (Neovim 0.11+: use lsp/gopls.lua instead.)
--
-- Load it from init.lua:   dofile(vim.fn.stdpath('config') .. '/gopls-guard.lua')
-- or put it in lua/ and:   require('gopls-guard')
--
-- The command is vim.g.gopls_guard_cmd when set (a list: program and arguments, e.g.
-- { '/path/to/gopls-guard', '-remote=auto' }), otherwise { 'gopls-guard' }.
-- Environment for the guard: vim.g.gopls_guard_env, a table like
-- { GOPLS_GUARD_GOPLS_VERSION = 'v0.16.2' } (passed as cmd_env).

local M = {}

-- root directory -> client id, so every buffer of one module or workspace shares one guard
local clients = {}

local MARKERS = { 'go.work', 'go.mod', '.git' }

local function command()
  local cmd = vim.g.gopls_guard_cmd
  if type(cmd) == 'table' and #cmd > 0 then
    return vim.deepcopy(cmd)
  end
  return { 'gopls-guard' }
end

-- The nearest go.work, else go.mod, else .git above dir; dir itself when there is none.
local function find_root(dir)
  for _, marker in ipairs(MARKERS) do
    local d = dir
    while d and d ~= '' do
      if vim.loop.fs_stat(d .. '/' .. marker) then
        return d
      end
      local parent = vim.fn.fnamemodify(d, ':h')
      if parent == d then
        break
      end
      d = parent
    end
  end
  return dir
end

function M.start(bufnr)
  if bufnr == nil or bufnr == 0 then
    bufnr = vim.api.nvim_get_current_buf()
  end
  local name = vim.api.nvim_buf_get_name(bufnr)
  local dir = name ~= '' and vim.fn.fnamemodify(name, ':p:h') or vim.fn.getcwd()
  local root = find_root(dir)

  local id = clients[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    id = vim.lsp.start_client({
      name = 'gopls',
      cmd = command(),
      cmd_env = vim.g.gopls_guard_env,
      root_dir = root,
      on_exit = function(_, _, client_id)
        if clients[root] == client_id then
          clients[root] = nil
        end
      end,
    })
    if id == nil then
      -- start_client already reported why (usually: the command is not executable)
      return nil
    end
    clients[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

local group = vim.api.nvim_create_augroup('gopls_guard', { clear = true })
vim.api.nvim_create_autocmd('FileType', {
  group = group,
  pattern = { 'go', 'gomod', 'gowork', 'gotmpl' },
  callback = function(args)
    M.start(args.buf)
  end,
})

-- Buffers that already had their filetype when this file was loaded.
for _, buf in ipairs(vim.api.nvim_list_bufs()) do
  if vim.api.nvim_buf_is_loaded(buf) then
    local ft = vim.api.nvim_buf_get_option(buf, 'filetype')
    if ft == 'go' or ft == 'gomod' or ft == 'gowork' or ft == 'gotmpl' then
      M.start(buf)
    end
  end
end

return M
