-- Drives gopls-guard through Neovim's own LSP client (headless, Neovim 0.7+), loading the
-- shipped editors/neovim/start_client.lua. Prints nothing; writes one JSON object to $GG_OUT:
-- the diagnostics for the file, the hover text at `Greet`, and every window/showMessage.
-- showMessageRequest is answered at once (headless Neovim would wait for a keypress).

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

vim.wait(60000, function() return #vim.diagnostic.get(bufnr) > 0 or errored() end, 100)
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
f:write(vim.fn.json_encode({ diagnostics = diagnostics, hover = hover, messages = messages }))
f:close()
if c then
  c.stop()
  vim.wait(5000, function() return c.is_stopped() end, 50)
end
vim.cmd("qa!")
