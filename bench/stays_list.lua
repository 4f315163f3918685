-- stays_list.lua — wrk script for bench/stays.sh: the police daily list of one commune
-- (DD_BENCH_COMMUNE) for a day drawn from the file DD_BENCH_DAYS, as the officer whose bearer
-- token is DD_BENCH_TOKEN, with a purpose (X-Purpose) as the police's reads need.
local requests = {}

function init(args)
  local headers = {}
  headers["Authorization"] = "Bearer " .. os.getenv("DD_BENCH_TOKEN")
  headers["X-Purpose"] = "benchmark"
  local commune = os.getenv("DD_BENCH_COMMUNE")
  for day in io.lines(os.getenv("DD_BENCH_DAYS")) do
    requests[#requests + 1] =
      wrk.format("GET", "/api/v1/stays/police/stays?commune=" .. commune .. "&day=" .. day, headers)
  end
  math.randomseed(os.time() + #tostring({}) + math.floor(os.clock() * 1e6))
end

function request()
  return requests[math.random(#requests)]
end
