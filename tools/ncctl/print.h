/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One output path for plain text and JSON, in the spirit of iproute2's
 * print_*(PRINT_ANY, ...): each field is given once with its JSON key and
 * its plain text label. Plain text prints one object per line as
 * "[label ]value" fields separated by single spaces; JSON (-j) prints an
 * array of objects through the JSON writer.
 */
#ifndef NCCTL_PRINT_H
#define NCCTL_PRINT_H

#include <stdbool.h>
#include <stdint.h>

/* @stats: how many -s were given. */
void out_init(bool json, bool pretty, unsigned int stats);
bool out_json(void);
/* Monitor: JSON lines, one compact object per event. */
void out_lines(void);

/* Brackets of a list of objects (JSON array; nothing in plain text). */
void out_list_start(void);
void out_list_end(void);

void out_obj_start(void);
void out_obj_end(void);

/*
 * A field: @key is the JSON member name (NULL: plain text only), @label
 * the plain text word before the value (NULL: the value alone).
 */
void out_str(const char *key, const char *label, const char *val);
void out_uint(const char *key, const char *label, uint64_t val);
/* A counter: always in JSON, in plain text only with -s. */
void out_stat(const char *key, const char *label, uint64_t val);
/*
 * A set of ids, bit i of @bits (64-bit words) for id i: a cpulist such as
 * "0-3,6" in plain text ("none" if empty), a JSON array of integers.
 */
void out_idset(const char *key, const char *label, const uint64_t *bits,
	       unsigned int nbits);
/*
 * A flag: always in JSON, true or false; in plain text "LABEL on" when
 * set, as the command line says it, and nothing when not.
 */
void out_flag(const char *key, const char *label, bool val);
/* A number shown as 0x%08x in plain text, a JSON number in JSON. */
void out_hex(const char *key, const char *label, uint64_t val);

/* Flush stdout; -1 (after an error message) if writing failed. */
int out_flush(void);

#endif /* NCCTL_PRINT_H */
