-- people_get.lua — wrk script for bench/register.sh: GET /api/v1/people/{id} for ID numbers
-- drawn at random from the file DD_BENCH_IDS (one a line), as the officer whose bearer token is
-- DD_BENCH_TOKEN, with a purpose (X-Purpose) as officers' reads need.
local ids = {}
local headers = {}

function init(args)
  for line in io.lines(os.getenv("DD_BENCH_IDS")) do
    ids[#ids + 1] = line
  end
  headers["Authorization"] = "Bearer " .. os.getenv("DD_BENCH_TOKEN")
  headers["X-Purpose"] = "benchmark"
  math.randomseed(os.time() + #tostring({}) + math.floor(os.clock() * 1e6))
end

function request()
  return wrk.format("GET", "/api/v1/people/" .. ids[math.random(#ids)], headers)
end
