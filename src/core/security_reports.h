/*
 * security_reports.h — the module that receives browsers' Content-Security-Policy violation
 * reports (POST /api/v1/csp-reports). A violation on a page of the platform is a security
 * event: it is stored and emitted as `security.csp_violation` for the operations centre.
 */
#ifndef DD_CORE_SECURITY_REPORTS_H
#define DD_CORE_SECURITY_REPORTS_H

#include "http/route.h"

extern const struct dd_module dd_module_security;

#endif
