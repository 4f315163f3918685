-- people_search.lua — wrk script for bench/register.sh: GET /api/v1/people?name=… for name
-- prefixes drawn at random from the file DD_BENCH_NAMES (one a line, already URL-encoded), as
-- the officer whose bearer token is DD_BENCH_TOKEN.
local names = {}
local headers = {}

function init(args)
  for line in io.lines(os.getenv("DD_BENCH_NAMES")) do
    names[#names + 1] = line
  end
  headers["Authorization"] = "Bearer " .. os.getenv("DD_BENCH_TOKEN")
  headers["X-Purpose"] = "benchmark"
  math.randomseed(os.time() + #tostring({}) + math.floor(os.clock() * 1e6))
end

function request()
  return wrk.format("GET", "/api/v1/people?limit=20&name=" .. names[math.random(#names)], headers)
end
