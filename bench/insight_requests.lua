-- insight_requests.lua — wrk script for bench/insight.sh: the dashboards' requests, one drawn at
-- random from the file DD_BENCH_PATHS (one path a line), as the leader whose bearer token is
-- DD_BENCH_TOKEN.
local requests = {}

function init(args)
  local headers = {}
  headers["Authorization"] = "Bearer " .. os.getenv("DD_BENCH_TOKEN")
  for p in io.lines(os.getenv("DD_BENCH_PATHS")) do
    requests[#requests + 1] = wrk.format("GET", p, headers)
  end
  math.randomseed(os.time() + #tostring({}) + math.floor(os.clock() * 1e6))
end

function request()
  return requests[math.random(#requests)]
end
