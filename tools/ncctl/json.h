/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny streaming JSON writer: the only producer of ncctl's -j output.
 *
 * Values are written as they come; the writer inserts commas, quotes and
 * escapes strings and, when pretty, indents by two spaces. Every complete
 * top-level value is followed by a newline, so a stream of top-level
 * objects is JSON lines.
 */
#ifndef NCCTL_JSON_H
#define NCCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH	16

struct json_writer {
	FILE *f;
	bool pretty;
	bool after_key;			/* next value belongs to a key */
	unsigned int depth;		/* open objects and arrays */
	bool first[JSON_MAX_DEPTH + 1];	/* nothing written yet at depth */
};

void json_init(struct json_writer *w, FILE *f, bool pretty);

void json_obj_open(struct json_writer *w);
void json_obj_close(struct json_writer *w);
void json_arr_open(struct json_writer *w);
void json_arr_close(struct json_writer *w);

/* Object member name; the next value written is its value. */
void json_key(struct json_writer *w, const char *key);

void json_str(struct json_writer *w, const char *s);
void json_uint(struct json_writer *w, uint64_t v);
void json_int(struct json_writer *w, int64_t v);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);

#endif /* NCCTL_JSON_H */
