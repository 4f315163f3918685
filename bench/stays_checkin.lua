-- stays_checkin.lua — wrk script for bench/stays.sh: POST /api/v1/stays/checkins as the bench
-- hotel's staff session (DD_BENCH_SESSION), each request a guest typed by ID number from the file
-- DD_BENCH_IDS (people of the register, so each check-in looks the person up). Every thread takes
-- its own share of the file in order, so that no guest is checked in twice.
local requests = {}
local next_index = 1
local thread_count = 0

function setup(thread)
  thread:set("thread_number", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  local headers = {}
  headers["Authorization"] = "Bearer " .. os.getenv("DD_BENCH_SESSION")
  headers["Content-Type"] = "application/json"
  local threads = tonumber(os.getenv("DD_BENCH_THREADS") or "2")
  local n = 0
  for line in io.lines(os.getenv("DD_BENCH_IDS")) do
    if n % threads == thread_number then
      local body = '{"id_number":"' .. line .. '","room":"' .. tostring(100 + n % 400) .. '"}'
      requests[#requests + 1] = wrk.format("POST", "/api/v1/stays/checkins", headers, body)
    end
    n = n + 1
  end
end

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  return r
end
