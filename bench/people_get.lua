-- people_get.lua — wrk script for bench/register.sh: GET /api/v1/people/{id} for ID numbers
-- drawn at random from the file DD_BENCH_IDS (one a line), as the officer whose bearer token is
-- DD_BENCH_TOKEN, with a purpose (X-Purpose) as officers' reads need. The requests are formatted
-- once, when a thread starts, so that the load generator spends its time sending and reading.
local requests = {}

function init(args)
  local headers = {}
  headers["Authorization"] = "Bearer " .. os.getenv("DD_BENCH_TOKEN")
  headers["X-Purpose"] = "benchmark"
  for line in io.lines(os.getenv("DD_BENCH_IDS")) do
    requests[#requests + 1] = wrk.format("GET", "/api/v1/people/" .. line, headers)
  end
  math.randomseed(os.time() + #tostring({}) + math.floor(os.clock() * 1e6))
end

function request()
  return requests[math.random(#requests)]
end
