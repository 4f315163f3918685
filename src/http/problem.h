/*
 * problem.h — RFC 9457 problem details: the only way dinhdanh reports an HTTP error.
 *
 * Each kind of failure has one stable `type` URN (urn:dinhdanh:problem:<slug>), an English
 * title, and a default detail in Vietnamese and English chosen by the request's language. The
 * slugs are listed for clients in docs/problems.md.
 */
#ifndef DD_HTTP_PROBLEM_H
#define DD_HTTP_PROBLEM_H

#include <jansson.h>

struct dd_req;

enum dd_problem {
    DD_PROBLEM_BAD_REQUEST,
    DD_PROBLEM_NOT_FOUND,
    DD_PROBLEM_METHOD_NOT_ALLOWED,
    DD_PROBLEM_UNSUPPORTED_MEDIA_TYPE,
    DD_PROBLEM_PAYLOAD_TOO_LARGE,
    DD_PROBLEM_INVALID_JSON,
    DD_PROBLEM_INVALID_UTF8,
    DD_PROBLEM_VALIDATION_FAILED,
    DD_PROBLEM_UNAUTHENTICATED,
    DD_PROBLEM_FORBIDDEN,
    DD_PROBLEM_CONFLICT,
    DD_PROBLEM_PRECONDITION_FAILED,
    DD_PROBLEM_RULE_VIOLATED,
    DD_PROBLEM_TOO_MANY_REQUESTS,
    DD_PROBLEM_SERVICE_UNAVAILABLE,
    DD_PROBLEM_DATABASE_BUSY,
    DD_PROBLEM_INTERNAL_ERROR,
    DD_PROBLEM_COUNT
};

struct dd_problem_info {
    const char *slug;
    unsigned status;
    const char *title;
    const char *detail_vi;
    const char *detail_en;
};

/* The table row of a problem kind. */
const struct dd_problem_info *dd_problem_info(enum dd_problem p);

/* Replies with a problem. `ext` (may be NULL; the reference is taken) adds extension members
 * such as "errors" or "position"; a "detail" member in it replaces the default detail. */
int dd_reply_problem(struct dd_req *req, enum dd_problem p, json_t *ext);

/* Replies with a problem whose detail is given in both languages. */
int dd_reply_problem_detail(struct dd_req *req, enum dd_problem p, const char *detail_vi,
                            const char *detail_en, json_t *ext);

/* The problem that answers a DD_E… code a handler returned without replying. */
enum dd_problem dd_problem_from_error(int rc);

/* Appends {field, code, message} to ext's "errors" list, creating ext and the list as needed;
 * returns ext. The message is chosen by language: vi and en. */
json_t *dd_problem_add_error(json_t *ext, const struct dd_req *req, const char *field,
                             const char *code, const char *message_vi, const char *message_en);

#endif
