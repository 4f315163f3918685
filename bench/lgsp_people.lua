-- lgsp_people.lua — wrk script for bench/lgsp.sh: GET DD_BENCH_PREFIX .. {id} for ID numbers
-- drawn at random from the file DD_BENCH_IDS (one a line), with the bearer token DD_BENCH_TOKEN
-- and a purpose (X-Purpose). The prefix is the register's route (/api/v1/people/) for the direct
-- path, the gateway's service path for the other. Requests are formatted once per thread.
local requests = {}

function init(args)
  local headers = {}
  headers["Authorization"] = "Bearer " .. os.getenv("DD_BENCH_TOKEN")
  headers["X-Purpose"] = "benchmark"
  local prefix = os.getenv("DD_BENCH_PREFIX")
  for line in io.lines(os.getenv("DD_BENCH_IDS")) do
    requests[#requests + 1] = wrk.format("GET", prefix .. line, headers)
  end
  math.randomseed(os.time() + #tostring({}) + math.floor(os.clock() * 1e6))
end

function request()
  return requests[math.random(#requests)]
end
