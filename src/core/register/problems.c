/*
 * problems.c — the register's own problem types, for refusals that a client should tell apart
 * from a plain conflict or rule: a dead person, a person already (or not) declared missing, a new
 * household head who is not alive. Each has a stable type URN, an English title and a detail in
 * Vietnamese and English; docs/problems.md lists them.
 */
#include "base/arena.h"
#include "core/register/api.h"
#include "http/problem.h"
#include "http/req.h"

#include <jansson.h>

struct reg_problem_info {
    enum dd_problem base; /* gives the status */
    const char *slug;
    const char *title;
    const char *vi, *en;
};

static const struct reg_problem_info problems[] = {
    [REG_PROBLEM_PERSON_DEAD] = {DD_PROBLEM_RULE_VIOLATED, "person-dead", "Person Dead",
                                 "Người này đã được đăng ký khai tử.",
                                 "This person's death is registered."},
    [REG_PROBLEM_PERSON_ALREADY_MISSING] = {DD_PROBLEM_CONFLICT, "person-already-missing",
                                            "Person Already Missing",
                                            "Người này đã được tuyên bố mất tích.",
                                            "This person is already declared missing."},
    [REG_PROBLEM_PERSON_NOT_MISSING] = {DD_PROBLEM_CONFLICT, "person-not-missing",
                                        "Person Not Missing",
                                        "Người này không ở trạng thái mất tích.",
                                        "This person is not declared missing."},
    [REG_PROBLEM_HEAD_NOT_ALIVE] = {DD_PROBLEM_RULE_VIOLATED, "head-not-alive", "Head Not Alive",
                                    "Chủ hộ mới phải là người đang sống (không chết, không mất "
                                    "tích).",
                                    "The new head must be alive (neither dead nor missing)."},
};

int
reg_problem_reply(struct dd_req *req, enum reg_problem p)
{
    const struct reg_problem_info *info = &problems[p];
    json_t *ext = json_pack("{s:s, s:s}", "type",
                            dd_arena_printf(req->arena, "urn:dinhdanh:problem:%s", info->slug),
                            "title", info->title);
    return dd_reply_problem_detail(req, info->base, info->vi, info->en, ext);
}
