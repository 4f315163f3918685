/*
 * problems.c — the consent module's own problem types, for refusals a client should tell apart:
 * an account without a personal ID number, a consent no longer in force, a person the register
 * does not hold (or holds without a commune), a correction request already decided or proposing
 * the value the record already has. docs/problems.md lists them.
 */
#include "base/arena.h"
#include "core/consent/api.h"
#include "http/problem.h"
#include "http/req.h"

#include <jansson.h>

struct cs_problem_info {
    enum dd_problem base; /* gives the status */
    const char *slug;
    const char *title;
    const char *vi, *en;
};

static const struct cs_problem_info problems[] = {
    [CS_PROBLEM_NO_ID_NUMBER] = {DD_PROBLEM_FORBIDDEN, "no-id-number", "No Personal ID Number",
                                 "Tài khoản này không gắn với số định danh cá nhân.",
                                 "This account is not tied to a personal ID number."},
    [CS_PROBLEM_CONSENT_NOT_ACTIVE] = {DD_PROBLEM_CONFLICT, "consent-not-active",
                                       "Consent Not Active",
                                       "Sự đồng ý này đã được rút lại hoặc đã hết thời hạn.",
                                       "This consent was already withdrawn or its period has "
                                       "ended."},
    [CS_PROBLEM_NOT_IN_REGISTER] = {DD_PROBLEM_RULE_VIOLATED, "person-not-in-register",
                                    "Person Not In Register",
                                    "Cơ sở dữ liệu dân cư của tỉnh không có hồ sơ mang số định "
                                    "danh của bạn.",
                                    "The province's population register holds no record with "
                                    "your ID number."},
    [CS_PROBLEM_NO_COMMUNE] = {DD_PROBLEM_RULE_VIOLATED, "person-without-commune",
                               "Person Without Commune",
                               "Hồ sơ của bạn chưa có nơi cư trú cấp xã để chuyển yêu cầu; hãy "
                               "liên hệ công an xã, phường nơi bạn sống.",
                               "Your record names no commune of residence to send the request "
                               "to; contact the police of the commune where you live."},
    [CS_PROBLEM_CORRECTION_DECIDED] = {DD_PROBLEM_CONFLICT, "correction-request-decided",
                                       "Correction Request Decided",
                                       "Yêu cầu điều chỉnh này đã được quyết định.",
                                       "This correction request has already been decided."},
    [CS_PROBLEM_CORRECTION_SAME_VALUE] = {DD_PROBLEM_RULE_VIOLATED, "correction-same-value",
                                          "Correction Same Value",
                                          "Giá trị đề nghị trùng với giá trị đang có trong hồ sơ.",
                                          "The proposed value is the one the record already "
                                          "holds."},
};

int
cs_problem_reply(struct dd_req *req, enum cs_problem p)
{
    const struct cs_problem_info *info = &problems[p];
    json_t *ext = json_pack("{s:s, s:s}", "type",
                            dd_arena_printf(req->arena, "urn:dinhdanh:problem:%s", info->slug),
                            "title", info->title);
    return dd_reply_problem_detail(req, info->base, info->vi, info->en, ext);
}
