/*
 * system.c — the platform's own endpoints: liveness, readiness, metrics and the API description.
 *
 * GET /healthz answers while the process runs; GET /readyz only while the database answers, so a
 * load balancer stops sending traffic to an instance that lost its database.
 */
#include "http/system.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/embedded.h"
#include "http/metrics.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

static const char healthz_body[] = "{\"status\":\"ok\"}";
static const char readyz_body[] = "{\"status\":\"ready\"}";

/* GET /healthz — 200 while the process is alive. */
static int
healthz(struct dd_req *req)
{
    dd_reply_header(req, "Cache-Control", "no-store");
    return dd_reply_bytes(req, 200, "application/json", healthz_body, sizeof healthz_body - 1);
}

/* GET /readyz — 200 when the database answers a trivial query, 503 otherwise. */
static int
readyz(struct dd_req *req)
{
    struct dd_db *db = dd_db_pool_get();
    if (db == NULL || dd_db_ping(db) != 0) {
        dd_reply_header(req, "Retry-After", "5");
        return dd_reply_problem_detail(req, DD_PROBLEM_SERVICE_UNAVAILABLE,
                                       "Cơ sở dữ liệu không trả lời.",
                                       "The database does not answer.", NULL);
    }
    dd_reply_header(req, "Cache-Control", "no-store");
    return dd_reply_bytes(req, 200, "application/json", readyz_body, sizeof readyz_body - 1);
}

/* GET /metrics — Prometheus text exposition format 0.0.4. */
static int
metrics(struct dd_req *req)
{
    struct dd_buf out;
    dd_buf_init(&out, req->arena, 16 * 1024 * 1024);
    if (dd_metrics_render(&out) != 0)
        return dd_reply_problem(req, DD_PROBLEM_INTERNAL_ERROR, NULL);
    dd_reply_header(req, "Cache-Control", "no-store");
    return dd_reply_bytes(req, 200, "text/plain; version=0.0.4; charset=utf-8", out.data, out.len);
}

/* GET /openapi.json — the API description built into the binary. */
static int
openapi(struct dd_req *req)
{
    const struct dd_embedded *doc = dd_embedded_find("docs/openapi.json");
    if (doc == NULL)
        return dd_reply_problem(req, DD_PROBLEM_NOT_FOUND, NULL);
    return dd_reply_bytes(req, 200, "application/json", doc->data, doc->len);
}

static const struct dd_route system_routes[] = {
    DD_ROUTE("GET", "/healthz", healthz, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/readyz", readyz, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/metrics", metrics, DD_AUTH_NONE, NULL),
    DD_ROUTE("GET", "/openapi.json", openapi, DD_AUTH_NONE, NULL),
    DD_ROUTES_END,
};

const struct dd_module dd_module_system = {
    .name = "system",
    .routes = system_routes,
    .on_event = NULL,
};
