/*
 * problems.c — the gateway's own problem types, so that a consumer can act on a refusal without
 * reading `detail`: no right, a right that has ended, a suspended consumer, a consent missing,
 * a quota or rate spent, a provider that timed out or failed. docs/problems.md lists them.
 */
#include "base/arena.h"
#include "http/problem.h"
#include "http/req.h"
#include "lgsp/internal.h"

#include <jansson.h>

static const struct lgsp_problem_info {
    enum dd_problem base;
    const char *slug, *title, *vi, *en;
} problems[] = {
    [LGSP_PROBLEM_NO_RIGHT] = {DD_PROBLEM_FORBIDDEN, "lgsp-no-right", "No Access Right",
                               "Hệ thống của bạn chưa được cấp quyền dùng dịch vụ này.",
                               "Your subsystem has no right to this service."},
    [LGSP_PROBLEM_RIGHT_EXPIRED] = {DD_PROBLEM_FORBIDDEN, "lgsp-right-expired",
                                    "Access Right Expired",
                                    "Quyền dùng dịch vụ này của hệ thống bạn đã hết hạn.",
                                    "Your subsystem's right to this service has ended."},
    [LGSP_PROBLEM_SUSPENDED] = {DD_PROBLEM_FORBIDDEN, "lgsp-consumer-suspended",
                                "Consumer Suspended",
                                "Hệ thống của bạn đang bị tạm dừng kết nối qua nền tảng LGSP.",
                                "Your subsystem is suspended from the gateway."},
    [LGSP_PROBLEM_CONSENT_MISSING] = {DD_PROBLEM_FORBIDDEN, "lgsp-consent-missing",
                                      "Consent Missing",
                                      "Người dân chưa đồng ý chia sẻ dữ liệu này với hệ thống của "
                                      "bạn.",
                                      "The person has not consented to share this data with your "
                                      "subsystem."},
    [LGSP_PROBLEM_QUOTA] = {DD_PROBLEM_TOO_MANY_REQUESTS, "lgsp-quota-exceeded", "Quota Exceeded",
                            "Hệ thống của bạn đã dùng hết hạn mức trong ngày của dịch vụ này.",
                            "Your subsystem has used its daily quota of this service."},
    [LGSP_PROBLEM_RATE] = {DD_PROBLEM_TOO_MANY_REQUESTS, "lgsp-rate-limited", "Rate Limited",
                           "Hệ thống của bạn gọi dịch vụ này quá nhanh; hãy thử lại sau giây lát.",
                           "Your subsystem calls this service too fast; retry in a moment."},
    [LGSP_PROBLEM_TIMEOUT] = {DD_PROBLEM_SERVICE_UNAVAILABLE, "lgsp-upstream-timeout",
                              "Provider Timed Out",
                              "Hệ thống cung cấp dịch vụ không trả lời kịp thời hạn.",
                              "The provider did not answer in time."},
    [LGSP_PROBLEM_UPSTREAM] = {DD_PROBLEM_SERVICE_UNAVAILABLE, "lgsp-upstream-error",
                               "Provider Failed",
                               "Hệ thống cung cấp dịch vụ gặp lỗi hoặc không kết nối được.",
                               "The provider failed or could not be reached."},
};

int
lgsp_problem_reply(struct dd_req *req, enum lgsp_problem p, json_t *ext)
{
    const struct lgsp_problem_info *info = &problems[p];
    if (ext == NULL)
        ext = json_object();
    json_object_set_new(
        ext, "type",
        json_string(dd_arena_printf(req->arena, "urn:dinhdanh:problem:%s", info->slug)));
    json_object_set_new(ext, "title", json_string(info->title));
    return dd_reply_problem_detail(req, info->base, info->vi, info->en, ext);
}
