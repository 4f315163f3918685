-- sso_refresh.lua — wrk script for bench/sso.sh: the refresh token grant with rotation, each
-- request spending a refresh token never used before.
--
-- Each thread keeps a queue of unused refresh tokens: it starts with its share of the file
-- DD_BENCH_RT_FILE (one token a line, each the first of its own family, made before the run:
-- at least one per connection), every request takes the oldest, and every 200 response puts the
-- rotated token it carries at the back. So each connection walks along chains of rotations as a
-- client does, and no token is ever sent twice (a second use would revoke its family). A request
-- that finds the queue empty (only after failed responses) sends a token that does not exist,
-- and its refusal counts as non-2xx. DD_BENCH_THREADS is wrk's -t.
local threads = tonumber(os.getenv("DD_BENCH_THREADS") or "2")
local next_id = 0
local queue, first, last = {}, 1, 0
local path = os.getenv("DD_BENCH_TOKEN_PATH")
local headers = {
  ["Content-Type"] = "application/x-www-form-urlencoded",
  ["Authorization"] = os.getenv("DD_BENCH_BASIC"),
}

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
end

local function push(t)
  last = last + 1
  queue[last] = t
end

local function pop()
  if first > last then
    return nil
  end
  local t = queue[first]
  queue[first] = nil
  first = first + 1
  return t
end

local function form_escape(s)
  return (s:gsub("[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

-- The request's bytes up to its Content-Length value, made once: what wrk.format would make for
-- each request, without rebuilding the same headers every time.
local head

function init(args)
  local i = 0
  for line in io.lines(os.getenv("DD_BENCH_RT_FILE")) do
    if line ~= "" then
      if i % threads == thread_id then
        push(line)
      end
      i = i + 1
    end
  end
  assert(last >= 1, "no refresh tokens for this thread")
  headers["Host"] = wrk.headers["Host"]
  local lines = { "POST " .. path .. " HTTP/1.1" }
  for name, value in pairs(headers) do
    lines[#lines + 1] = name .. ": " .. value
  end
  head = table.concat(lines, "\r\n") .. "\r\nContent-Length: "
end

function request()
  local t = pop() or "spent-pool-no-token-left"
  if t:find("[^%w%-%._~]") then
    t = form_escape(t)
  end
  local body = "grant_type=refresh_token&refresh_token=" .. t
  return head .. #body .. "\r\n\r\n" .. body
end

-- The rotated token: found by a plain search for the member as both providers write it (no
-- space after the colon), else by a pattern that allows spaces.
local member = '"refresh_token":"'

function response(status, hdrs, body)
  if status == 200 then
    local t
    local at = body:find(member, 1, true)
    if at then
      local from = at + #member
      local to = body:find('"', from, true)
      t = to and body:sub(from, to - 1)
    else
      t = body:match('"refresh_token"%s*:%s*"([^"]+)"')
    end
    if t then
      push(t)
    end
  end
end
