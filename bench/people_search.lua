-- people_search.lua — wrk script for bench/register.sh: GET /api/v1/people?name=… for name
-- prefixes drawn at random from the file DD_BENCH_NAMES (one a line, already URL-encoded), as
-- the officer whose bearer token is DD_BENCH_TOKEN. The requests are formatted once, when a
-- thread starts.
local requests = {}

function init(args)
  local headers = {}
  headers["Authorization"] = "Bearer " .. os.getenv("DD_BENCH_TOKEN")
  headers["X-Purpose"] = "benchmark"
  for line in io.lines(os.getenv("DD_BENCH_NAMES")) do
    requests[#requests + 1] = wrk.format("GET", "/api/v1/people?limit=20&name=" .. line, headers)
  end
  math.randomseed(os.time() + #tostring({}) + math.floor(os.clock() * 1e6))
end

function request()
  return requests[math.random(#requests)]
end
