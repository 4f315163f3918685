/*
 * placeholders.c — a small lexer over SQL text that knows just enough of PostgreSQL's quoting
 * rules to tell a parameter `?` from a question mark inside a string, an identifier, a
 * dollar-quoted body or a comment.
 */
#include "store/placeholders.h"
#include "base/buf.h"
#include "base/err.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static bool
is_ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || (unsigned char)c >= 0x80;
}

static bool
is_tag_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (unsigned char)c >= 0x80;
}

/* End (one past) of a quoted run starting at s[i] == q, where q doubled stands for itself and,
 * when `backslash` is set, a backslash escapes the next byte. */
static size_t
skip_quoted(const char *s, size_t i, char q, bool backslash)
{
    i++;
    while (s[i]) {
        if (backslash && s[i] == '\\' && s[i + 1]) {
            i += 2;
        } else if (s[i] == q) {
            if (s[i + 1] != q)
                return i + 1;
            i += 2;
        } else {
            i++;
        }
    }
    return i;
}

static size_t
skip_block_comment(const char *s, size_t i)
{
    int depth = 0;
    while (s[i]) {
        if (s[i] == '/' && s[i + 1] == '*') {
            depth++;
            i += 2;
        } else if (s[i] == '*' && s[i + 1] == '/') {
            i += 2;
            if (--depth == 0)
                return i;
        } else {
            i++;
        }
    }
    return i;
}

/* Length of a dollar-quote delimiter ($$ or $tag$) at s[i], or 0 if there is none. */
static size_t
dollar_tag_len(const char *s, size_t i)
{
    size_t j = i + 1;
    if (s[j] != '$' && !is_tag_start(s[j]))
        return 0;
    while (s[j] != '$') {
        if (!is_ident_char(s[j]))
            return 0;
        j++;
    }
    return j + 1 - i;
}

static size_t
skip_dollar_quoted(const char *s, size_t i, size_t taglen)
{
    size_t j = i + taglen;
    while (s[j]) {
        if (s[j] == '$' && strncmp(s + j, s + i, taglen) == 0)
            return j + taglen;
        j++;
    }
    return j;
}

int
dd_sql_number_placeholders(const char *sql, struct dd_buf *out, int *count)
{
    size_t i = 0, run = 0;
    int n = 0;
    while (sql[i]) {
        char c = sql[i];
        bool after_ident = i > 0 && is_ident_char(sql[i - 1]);
        if (c == '?') {
            char num[16];
            int len = snprintf(num, sizeof num, "$%d", ++n);
            if (dd_buf_append(out, sql + run, i - run) != DD_OK ||
                dd_buf_append(out, num, (size_t)len) != DD_OK)
                return DD_ETOOBIG;
            run = ++i;
        } else if (c == '\'') {
            bool escapes = i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                           !(i > 1 && is_ident_char(sql[i - 2]));
            i = skip_quoted(sql, i, '\'', escapes);
        } else if (c == '"') {
            i = skip_quoted(sql, i, '"', false);
        } else if (c == '-' && sql[i + 1] == '-') {
            while (sql[i] && sql[i] != '\n')
                i++;
        } else if (c == '/' && sql[i + 1] == '*') {
            i = skip_block_comment(sql, i);
        } else if (c == '$' && !after_ident && dollar_tag_len(sql, i) > 0) {
            i = skip_dollar_quoted(sql, i, dollar_tag_len(sql, i));
        } else {
            i++;
        }
    }
    if (dd_buf_append(out, sql + run, i - run) != DD_OK)
        return DD_ETOOBIG;
    *count = n;
    return DD_OK;
}
