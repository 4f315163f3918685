/*
 * problems.c — the identity module's problem types (listed in docs/problems.md), and the
 * replies every handler of the module shares for database failures.
 *
 * The refusals of a login are chosen so that they tell nothing to someone who does not hold
 * the password: an unknown login and a wrong password both get invalid-credentials; the
 * account's state (not confirmed, locked, suspended…) is told only after the right password.
 */
#include "base/arena.h"
#include "base/err.h"
#include "base/log.h"
#include "base/str.h"
#include "core/identity/internal.h"
#include "http/problem.h"
#include "http/reply.h"
#include "http/req.h"
#include "store/store.h"

struct id_problem_info {
    enum dd_problem base; /* gives the status */
    const char *slug;
    const char *title;
    const char *vi, *en;
};

static const struct id_problem_info problems[ID_PROBLEM_COUNT] = {
    [ID_PROBLEM_INVALID_CREDENTIALS] = {DD_PROBLEM_UNAUTHENTICATED, "invalid-credentials",
                                        "Invalid Credentials",
                                        "Tên đăng nhập hoặc mật khẩu không đúng.",
                                        "The login or the password is wrong."},
    [ID_PROBLEM_SECOND_FACTOR_REQUIRED] =
        {DD_PROBLEM_UNAUTHENTICATED, "second-factor-required", "Second Factor Required",
         "Tài khoản này cần thêm mã xác thực (ứng dụng xác thực) hoặc mã khôi phục.",
         "This account also needs a code from its authenticator app, or a recovery code."},
    [ID_PROBLEM_SECOND_FACTOR_INVALID] =
        {DD_PROBLEM_UNAUTHENTICATED, "second-factor-invalid", "Second Factor Invalid",
         "Mã xác thực hoặc mã khôi phục không đúng hoặc đã được dùng.",
         "The authenticator code or recovery code is wrong or was already used."},
    [ID_PROBLEM_ENROLMENT_REQUIRED] =
        {DD_PROBLEM_FORBIDDEN, "second-factor-enrolment-required",
         "Second Factor Enrolment Required",
         "Cán bộ phải đăng ký ứng dụng xác thực trước khi đăng nhập; dùng phiên đăng ký được "
         "cấp kèm theo.",
         "Officers must enrol an authenticator app before logging in; use the enrolment session "
         "given here."},
    [ID_PROBLEM_CSRF_FAILED] = {DD_PROBLEM_FORBIDDEN, "csrf-failed", "CSRF Check Failed",
                                "Thiếu hoặc sai tiêu đề X-CSRF-Token của phiên đăng nhập.",
                                "The session's X-CSRF-Token header is missing or wrong."},
    [ID_PROBLEM_ACCOUNT_NOT_CONFIRMED] =
        {DD_PROBLEM_FORBIDDEN, "account-not-confirmed", "Account Not Confirmed",
         "Tài khoản chưa được xác nhận bằng mã một lần đã gửi khi đăng ký.",
         "The account has not been confirmed with the one-time code sent at registration."},
    [ID_PROBLEM_ACCOUNT_LOCKED] =
        {DD_PROBLEM_FORBIDDEN, "account-locked", "Account Locked",
         "Tài khoản định danh điện tử đã bị chủ tài khoản khoá; mở khoá tại công an xã với "
         "căn cước.",
         "The owner has locked this e-identity; it is unlocked at a commune police office with "
         "the ID card."},
    [ID_PROBLEM_ACCOUNT_LOCKED_OUT] =
        {DD_PROBLEM_FORBIDDEN, "account-locked-out", "Account Locked Out",
         "Tài khoản tạm khoá do đăng nhập sai nhiều lần; hãy đặt lại mật khẩu hoặc đợi đến "
         "thời điểm mở khoá.",
         "The account is locked after too many failed logins; reset the password or wait until "
         "locked_until."},
    [ID_PROBLEM_ACCOUNT_SUSPENDED] = {DD_PROBLEM_FORBIDDEN, "account-suspended",
                                      "Account Suspended",
                                      "Tài khoản đã bị cơ quan công an tạm dừng.",
                                      "The account is suspended by the police."},
    [ID_PROBLEM_ACCOUNT_DISABLED] = {DD_PROBLEM_FORBIDDEN, "account-disabled", "Account Disabled",
                                     "Tài khoản đã bị vô hiệu hoá.", "The account is disabled."},
    [ID_PROBLEM_NOT_A_PARENT] =
        {DD_PROBLEM_FORBIDDEN, "not-a-parent", "Not a Parent",
         "Cơ sở dữ liệu dân cư không ghi nhận bạn là cha hoặc mẹ của trẻ này; hãy đến công an "
         "xã.",
         "The population register does not list you as this child's father or mother; go to a "
         "commune police office."},
    [ID_PROBLEM_ACCOUNT_EXISTS] =
        {DD_PROBLEM_CONFLICT, "account-exists", "Account Exists",
         "Người này đã có tài khoản định danh điện tử; hãy đăng nhập hoặc đặt lại mật khẩu.",
         "This person already has an e-identity account; log in or reset the password."},
    [ID_PROBLEM_REGISTER_MISMATCH] = {DD_PROBLEM_RULE_VIOLATED, "register-mismatch",
                                      "Register Mismatch",
                                      "Thông tin không khớp với Cơ sở dữ liệu quốc gia về dân cư.",
                                      "The details do not match the population register."},
    [ID_PROBLEM_GUARDIAN_REQUIRED] =
        {DD_PROBLEM_RULE_VIOLATED, "guardian-required", "Guardian Required",
         "Trẻ dưới 14 tuổi được cha, mẹ hoặc người giám hộ đăng ký tài khoản kèm theo.",
         "Children under 14 get an account through a parent or guardian."},
    [ID_PROBLEM_CHILD_NOT_UNDER_14] = {DD_PROBLEM_RULE_VIOLATED, "child-not-under-14",
                                       "Child Not Under 14",
                                       "Người từ đủ 14 tuổi tự đăng ký tài khoản của mình.",
                                       "A person aged 14 or more registers their own account."},
    [ID_PROBLEM_CODE_INVALID] = {DD_PROBLEM_RULE_VIOLATED, "code-invalid", "Code Invalid",
                                 "Mã không đúng, đã hết hạn hoặc đã được dùng; hãy yêu cầu mã "
                                 "mới.",
                                 "The code is wrong, expired or already used; ask for a new one."},
    [ID_PROBLEM_ORGANISATION_SUSPENDED] =
        {DD_PROBLEM_FORBIDDEN, "organisation-suspended", "Organisation Suspended",
         "Cơ sở của bạn đã bị cơ quan công an tạm dừng hoạt động trên hệ thống.",
         "Your organisation is suspended by the police."},
    [ID_PROBLEM_OUTSIDE_AREA] = {DD_PROBLEM_FORBIDDEN, "outside-area", "Outside Area",
                                 "Đơn vị hành chính này nằm ngoài địa bàn của bạn.",
                                 "This administrative unit is outside your area."},
    [ID_PROBLEM_STAFF_ROLE_NOT_ALLOWED] =
        {DD_PROBLEM_FORBIDDEN, "staff-role-not-allowed", "Staff Role Not Allowed",
         "Vai trò của bạn trong cơ sở không cho phép thêm hoặc cho thôi người có vai trò này.",
         "Your role in the organisation does not allow adding or ending staff with this role."},
    [ID_PROBLEM_ORGANISATION_EXISTS] =
        {DD_PROBLEM_CONFLICT, "organisation-exists", "Organisation Exists",
         "Đã có cơ sở đăng ký với mã số doanh nghiệp (mã số thuế) này.",
         "An organisation with this enterprise (tax) code is already registered."},
    [ID_PROBLEM_USERNAME_TAKEN] = {DD_PROBLEM_CONFLICT, "username-taken", "Username Taken",
                                   "Tên đăng nhập này đã được dùng; hãy chọn tên khác.",
                                   "This username is taken; choose another."},
};

int
id_problem_reply(struct dd_req *req, enum id_problem p, json_t *ext)
{
    const struct id_problem_info *info = &problems[p];
    if (ext == NULL)
        ext = json_object();
    json_object_set_new(
        ext, "type",
        json_string(dd_arena_printf(req->arena, "urn:dinhdanh:problem:%s", info->slug)));
    json_object_set_new(ext, "title", json_string(info->title));
    return dd_reply_problem_detail(req, info->base, info->vi, info->en, ext);
}

int
id_fail(struct dd_req *req, struct dd_db *db, int rc)
{
    if (db && dd_db_in_transaction(db))
        dd_db_rollback(db);
    enum dd_problem p = dd_problem_from_error(rc);
    if (p == DD_PROBLEM_INTERNAL_ERROR)
        dd_log(DD_LOG_ERROR, "identity.failed", "%s %s failed: %s (%s; request %s)", req->method,
               req->route_label, dd_strerror(rc), db ? dd_db_errmsg(db) : "", req->request_id);
    if (p == DD_PROBLEM_DATABASE_BUSY || p == DD_PROBLEM_SERVICE_UNAVAILABLE)
        dd_reply_header(req, "Retry-After", "1");
    return dd_reply_problem(req, p, NULL);
}

int
id_commit_or_reply(struct dd_req *req, struct dd_db *db)
{
    int rc = dd_db_commit(db);
    if (rc == DD_OK)
        return 0;
    id_fail(req, db, rc);
    return -1;
}
