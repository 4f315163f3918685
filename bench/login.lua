-- login.lua — wrk script for bench/login.sh: POST /api/v1/sessions with the right password, going
-- round the accounts of the file DD_BENCH_ACCOUNTS (one "login<TAB>password" a line); each wrk
-- thread starts at another place in the list. Every request is a full password login: Argon2id
-- verify, a session opened, the history row and its event written.
local accounts = {}
local next_account = 1
local headers = { ["Content-Type"] = "application/json" }

-- Passwords in the file are letters, digits and spaces, so they need no JSON escaping.
local function body(a)
  return '{"login":"' .. a.login .. '","password":"' .. a.password .. '"}'
end

function init(args)
  for line in io.lines(os.getenv("DD_BENCH_ACCOUNTS")) do
    local login, password = line:match("^([^\t]+)\t(.+)$")
    if login then
      accounts[#accounts + 1] = { login = login, password = password }
    end
  end
  assert(#accounts > 0, "no accounts in DD_BENCH_ACCOUNTS")
  -- Threads are set up one after another with their own Lua state: start each elsewhere.
  math.randomseed(os.time() + math.floor(os.clock() * 1e6) + #tostring({}))
  next_account = math.random(#accounts)
end

function request()
  local a = accounts[next_account]
  next_account = next_account % #accounts + 1
  return wrk.format("POST", "/api/v1/sessions", headers, body(a))
end
