-- Drives gopls-guard through Neovim's own LSP client (headless, Neovim 0.7+), loading the
-- shipped editors/neovim/start_client.lua. Prints nothing; writes one JSON object to $GG_OUT:
-- the diagnostics for the file, the hover text at `Greet`, and every window/showMessage.
-- showMessageRequest is answered at once (headless Neovim would wait for a keypress).
-- With GG_ACTION set: once the guard's fault is a diagnostic (vim.diagnostic.get(), any buffer),
-- the cause is fixed (GG_FIX_LINK made a symlink to GG_FIX_SOURCE) and the code action whose title
-- contains GG_ACTION is chosen through vim.lsp.buf.code_action(), as a user picks it; then the
-- script waits for gopls's own diagnostics. The guard's diagnostics seen go out as `guard`.

local out = os.getenv("GG_OUT")
local file = os.getenv("GG_FILE")
local messages = {}

vim.g.gopls_guard_cmd = { os.getenv("GG_GUARD") }
vim.lsp.handlers["window/showMessage"] = function(_, result)
  table.insert(messages, { type = result.type, message = result.message })
end
vim.lsp.handlers["window/showMessageRequest"] = function(_, result)
  table.insert(messages, { type = result.type, message = result.message, request = true })
  return vim.NIL
end

local action = os.getenv("GG_ACTION")
local chosen = nil
-- The user picks the action by its title (headless Neovim has no menu to show).
vim.ui.select = function(items, opts, on_choice)
  for i, item in ipairs(items) do
    local title = opts.format_item and opts.format_item(item) or tostring(item)
    if action and title:find(action, 1, true) then
      chosen = title
      return on_choice(item, i)
    end
  end
  on_choice(nil, nil)
end

local function guard_diagnostics()
  local out = {}
  for _, d in ipairs(vim.diagnostic.get()) do
    if d.source == "gopls-guard" then
      table.insert(out, { code = d.code, message = d.message, file = vim.api.nvim_buf_get_name(d.bufnr) })
    end
  end
  return out
end

local guard = dofile(os.getenv("GG_CONFIG"))
vim.cmd("edit " .. file)
local bufnr = vim.api.nvim_get_current_buf()
vim.bo[bufnr].filetype = "go"
if guard and guard.start and #vim.lsp.buf_get_clients(bufnr) == 0 then guard.start(bufnr) end

local function client()
  return vim.lsp.buf_get_clients(bufnr)[1] or vim.tbl_values(vim.lsp.buf_get_clients(bufnr))[1]
end

local function errored()
  for _, m in ipairs(messages) do if m.type == 1 then return true end end
  return false
end

local guard_seen = {}
if action then
  -- On the open file (it is where the user acts), not only on go.mod.
  vim.wait(60000, function()
    for _, d in ipairs(guard_diagnostics()) do
      if d.file == vim.api.nvim_buf_get_name(bufnr) then return true end
    end
    return false
  end, 100)
  guard_seen = guard_diagnostics()
  local link, source = os.getenv("GG_FIX_LINK"), os.getenv("GG_FIX_SOURCE")
  if link and source then vim.loop.fs_symlink(source, link) end
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  vim.lsp.buf.code_action()
  -- gopls's own diagnostics for the file, and none of the guard's left.
  vim.wait(60000, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.source ~= "gopls-guard" and d.message:find("not an int", 1, true) then
        return #guard_diagnostics() == 0
      end
    end
    return false
  end, 100)
else
  vim.wait(60000, function() return #vim.diagnostic.get(bufnr) > 0 or errored() end, 100)
end
local diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(bufnr)) do table.insert(diagnostics, { message = d.message, lnum = d.lnum }) end

local hover = ""
local c = client()
if c and not errored() then
  local reply = vim.lsp.buf_request_sync(bufnr, "textDocument/hover", {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = 17, character = 9 },
  }, 20000)
  for _, r in pairs(reply or {}) do
    if r.result and r.result.contents then hover = r.result.contents.value or "" end
  end
end

local f = io.open(out, "w")
f:write(vim.fn.json_encode({
  diagnostics = diagnostics, hover = hover, messages = messages,
  guard = guard_seen, guard_after = guard_diagnostics(), chosen = chosen or vim.NIL,
}))
f:close()
if c then
  c.stop()
  vim.wait(5000, function() return c.is_stopped() end, 50)
end
vim.cmd("qa!")
