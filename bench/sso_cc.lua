-- sso_cc.lua — wrk script for bench/sso.sh: the client credentials grant, the same request over
-- and over: POST DD_BENCH_TOKEN_PATH with client_secret_basic (DD_BENCH_BASIC is the
-- "Basic …" header value) and grant_type=client_credentials, plus scope=DD_BENCH_SCOPE when set.
-- Every request is a full grant: client authentication, a new JWT access token signed ES256.
local scope = os.getenv("DD_BENCH_SCOPE") or ""
local body = "grant_type=client_credentials"
if scope ~= "" then
  body = body .. "&scope=" .. scope:gsub(" ", "%%20")
end
wrk.method = "POST"
wrk.path = os.getenv("DD_BENCH_TOKEN_PATH")
wrk.body = body
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("DD_BENCH_BASIC")
