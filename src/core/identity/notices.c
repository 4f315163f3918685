/*
 * notices.c — one-time codes sent to a person (core/notify/notify.h), and the queue that lets
 * the identity worker send them after the reply.
 *
 * Sending takes time (an fsync for the file adapter, a round trip to the SMTP server): were it
 * done before replying, a password reset for an existing account would answer later than one
 * for an unknown login. So a handler only queues the notice; the worker (worker.c) sends it.
 * Without the worker (commands, unit tests) the notice is sent at once. The queue is bounded:
 * past ID_NOTICE_QUEUE_MAX waiting notices, new ones are sent at once too.
 */
#include "base/arena.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/mem.h"
#include "core/identity/internal.h"
#include "core/identity/worker.h"
#include "core/notify/notify.h"
#include "http/req.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ID_NOTICE_QUEUE_MAX 1000

struct queued {
    struct queued *next;
    struct dd_notice n;
    char *recipient, *subject, *body, *purpose;
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct queued *head, *tail;
    size_t count;
    bool open; /* the worker takes notices */
    bool stop;
} q = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0, false, false};

static void
send_now(const struct dd_notice *n)
{
    char err[300];
    if (dd_notify_send(n, err, sizeof err) != 0)
        dd_log(DD_LOG_WARN, "identity.notice_failed", "a %s notice was not sent: %s",
               n->purpose ? n->purpose : "", err);
}

static char *
dup_or_null(const char *s)
{
    return s ? dd_xstrdup(s) : NULL;
}

static void
queued_free(struct queued *e)
{
    free(e->recipient);
    free(e->subject);
    free(e->body);
    free(e->purpose);
    free(e);
}

/* Queues a copy of *n for the worker; false if the worker does not take notices now. */
static bool
enqueue(const struct dd_notice *n)
{
    pthread_mutex_lock(&q.lock);
    bool take = q.open && q.count < ID_NOTICE_QUEUE_MAX;
    if (take) {
        struct queued *e = dd_xcalloc(1, sizeof *e);
        e->recipient = dup_or_null(n->recipient);
        e->subject = dup_or_null(n->subject);
        e->body = dup_or_null(n->body);
        e->purpose = dup_or_null(n->purpose);
        e->n = (struct dd_notice){.channel = n->channel,
                                  .recipient = e->recipient,
                                  .subject = e->subject,
                                  .body = e->body,
                                  .purpose = e->purpose};
        if (q.tail)
            q.tail->next = e;
        else
            q.head = e;
        q.tail = e;
        q.count++;
        pthread_cond_signal(&q.wake);
    }
    pthread_mutex_unlock(&q.lock);
    return take;
}

void
id_notices_open(void)
{
    pthread_mutex_lock(&q.lock);
    q.open = true;
    q.stop = false;
    pthread_mutex_unlock(&q.lock);
}

bool
id_notices_wait(int64_t ms)
{
    pthread_mutex_lock(&q.lock);
    if (q.head == NULL && !q.stop) {
        struct timespec ts;
        dd_clock_deadline(&ts, (long)ms);
        pthread_cond_timedwait(&q.wake, &q.lock, &ts);
    }
    bool stop = q.stop;
    pthread_mutex_unlock(&q.lock);
    return !stop;
}

void
id_notices_send_queued(void)
{
    for (;;) {
        pthread_mutex_lock(&q.lock);
        struct queued *e = q.head;
        if (e) {
            q.head = e->next;
            if (q.head == NULL)
                q.tail = NULL;
            q.count--;
        }
        pthread_mutex_unlock(&q.lock);
        if (e == NULL)
            return;
        send_now(&e->n);
        queued_free(e);
    }
}

void
id_notices_close(void)
{
    pthread_mutex_lock(&q.lock);
    q.open = false;
    q.stop = true;
    pthread_cond_broadcast(&q.wake);
    pthread_mutex_unlock(&q.lock);
}

const char *
id_notice_channel(const struct id_account *acc)
{
    return acc->email[0] ? "email" : "sms";
}

void
id_notice_code(struct dd_req *req, const struct id_account *acc, enum id_code_purpose p,
               const char *code)
{
    bool en = req->lang == DD_LANG_EN;
    bool reg = p == ID_CODE_REGISTRATION;
    const char *subject =
        en ? (reg ? "Your e-identity registration code" : "Your password reset code")
           : (reg ? "Mã xác nhận đăng ký định danh điện tử" : "Mã đặt lại mật khẩu");
    const char *body = dd_arena_printf(
        req->arena,
        en ? "Your code is %s. It is valid for 10 minutes. Never give it to anyone, even "
             "someone who says they are from the police.\n"
           : "Mã của bạn là %s, có hiệu lực trong 10 phút. Không cung cấp mã này cho bất kỳ ai, "
             "kể cả người tự xưng là công an.\n",
        code);
    struct dd_notice n = {
        .channel = acc->email[0] ? DD_NOTIFY_EMAIL : DD_NOTIFY_SMS,
        .recipient = acc->email[0] ? acc->email : acc->phone,
        .subject = subject,
        .body = body,
        .purpose = reg ? "registration-code" : "password-reset-code",
    };
    if (!enqueue(&n))
        send_now(&n);
}
