// SPDX-License-Identifier: GPL-2.0
/*
 * One output path for plain text and JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "print.h"
#include "utils.h"

static struct {
	bool json;
	unsigned int stats;
	bool first;		/* plain: no blank before the next field */
	struct json_writer jw;
} out;

void out_init(bool json, bool pretty, unsigned int stats)
{
	out.json = json;
	out.stats = stats;
	json_init(&out.jw, stdout, pretty);
}

bool out_json(void)
{
	return out.json;
}

void out_lines(void)
{
	out.jw.pretty = false;
}

void out_list_start(void)
{
	if (out.json)
		json_arr_open(&out.jw);
}

void out_list_end(void)
{
	if (out.json)
		json_arr_close(&out.jw);
}

void out_obj_start(void)
{
	if (out.json)
		json_obj_open(&out.jw);
	else
		out.first = true;
}

void out_obj_end(void)
{
	if (out.json)
		json_obj_close(&out.jw);
	else
		putchar('\n');
}

/* Plain text: separator and label before a value. */
static void out_label(const char *label)
{
	if (!out.first)
		putchar(' ');
	out.first = false;
	if (label)
		printf("%s ", label);
}

void out_str(const char *key, const char *label, const char *val)
{
	if (out.json) {
		if (key) {
			json_key(&out.jw, key);
			json_str(&out.jw, val);
		}
		return;
	}
	out_label(label);
	fputs(val, stdout);
}

void out_uint(const char *key, const char *label, uint64_t val)
{
	if (out.json) {
		if (key) {
			json_key(&out.jw, key);
			json_uint(&out.jw, val);
		}
		return;
	}
	out_label(label);
	printf("%" PRIu64, val);
}

void out_stat(const char *key, const char *label, uint64_t val)
{
	if (out.json || out.stats)
		out_uint(key, label, val);
}

void out_idset(const char *key, const char *label, const uint64_t *bits,
	       unsigned int nbits)
{
	char buf[NC_CPULIST_MAX];
	unsigned int i;

	if (out.json) {
		if (!key)
			return;
		json_key(&out.jw, key);
		json_arr_open(&out.jw);
		for (i = 0; i < nbits; i++) {
			if (bits[i / 64] & 1ULL << (i % 64))
				json_uint(&out.jw, i);
		}
		json_arr_close(&out.jw);
		return;
	}
	if (nc_cpulist_format(bits, nbits, buf, sizeof(buf)) || !buf[0])
		snprintf(buf, sizeof(buf), "none");
	out_label(label);
	fputs(buf, stdout);
}

void out_flag(const char *key, const char *label, bool val)
{
	if (out.json) {
		if (key) {
			json_key(&out.jw, key);
			json_bool(&out.jw, val);
		}
		return;
	}
	if (val)
		out_str(NULL, label, "on");
}

void out_hex(const char *key, const char *label, uint64_t val)
{
	if (out.json) {
		out_uint(key, label, val);
		return;
	}
	out_label(label);
	printf("0x%08" PRIx64, val);
}

int out_flush(void)
{
	if (fflush(stdout) || ferror(stdout)) {
		nc_err("write error: %s", strerror(errno ? errno : EIO));
		return -1;
	}
	return 0;
}
