// SPDX-License-Identifier: GPL-2.0
/*
 * A tiny streaming JSON writer (RFC 8259 output; strings are passed through
 * as UTF-8, with '"', '\\' and control characters escaped).
 */
#include <assert.h>
#include <inttypes.h>

#include "json.h"

void json_init(struct json_writer *w, FILE *f, bool pretty)
{
	w->f = f;
	w->pretty = pretty;
	w->after_key = false;
	w->depth = 0;
	w->first[0] = true;
}

static void json_newline(struct json_writer *w)
{
	unsigned int i;

	fputc('\n', w->f);
	for (i = 0; i < w->depth; i++)
		fputs("  ", w->f);
}

/* Before a value or a key: separator and indentation. */
static void json_begin(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->depth)
		return;
	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = false;
	if (w->pretty)
		json_newline(w);
}

/* After a value: a complete top-level value ends its line. */
static void json_end(struct json_writer *w)
{
	if (!w->depth)
		fputc('\n', w->f);
}

static void json_open(struct json_writer *w, char c)
{
	assert(w->depth < JSON_MAX_DEPTH);
	json_begin(w);
	fputc(c, w->f);
	w->first[++w->depth] = true;
}

static void json_close(struct json_writer *w, char c)
{
	bool empty;

	assert(w->depth > 0 && !w->after_key);
	empty = w->first[w->depth--];
	if (w->pretty && !empty)
		json_newline(w);
	fputc(c, w->f);
	json_end(w);
}

void json_obj_open(struct json_writer *w)
{
	json_open(w, '{');
}

void json_obj_close(struct json_writer *w)
{
	json_close(w, '}');
}

void json_arr_open(struct json_writer *w)
{
	json_open(w, '[');
}

void json_arr_close(struct json_writer *w)
{
	json_close(w, ']');
}

static void json_quote(struct json_writer *w, const char *s)
{
	const unsigned char *p;

	fputc('"', w->f);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", w->f);
			break;
		case '\\':
			fputs("\\\\", w->f);
			break;
		case '\b':
			fputs("\\b", w->f);
			break;
		case '\f':
			fputs("\\f", w->f);
			break;
		case '\n':
			fputs("\\n", w->f);
			break;
		case '\r':
			fputs("\\r", w->f);
			break;
		case '\t':
			fputs("\\t", w->f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(w->f, "\\u%04x", *p);
			else
				fputc(*p, w->f);
		}
	}
	fputc('"', w->f);
}

void json_key(struct json_writer *w, const char *key)
{
	assert(w->depth > 0 && !w->after_key);
	json_begin(w);
	json_quote(w, key);
	fputs(w->pretty ? ": " : ":", w->f);
	w->after_key = true;
}

void json_str(struct json_writer *w, const char *s)
{
	json_begin(w);
	json_quote(w, s);
	json_end(w);
}

void json_uint(struct json_writer *w, uint64_t v)
{
	json_begin(w);
	fprintf(w->f, "%" PRIu64, v);
	json_end(w);
}

void json_int(struct json_writer *w, int64_t v)
{
	json_begin(w);
	fprintf(w->f, "%" PRId64, v);
	json_end(w);
}

void json_bool(struct json_writer *w, bool v)
{
	json_begin(w);
	fputs(v ? "true" : "false", w->f);
	json_end(w);
}

void json_null(struct json_writer *w)
{
	json_begin(w);
	fputs("null", w->f);
	json_end(w);
}
