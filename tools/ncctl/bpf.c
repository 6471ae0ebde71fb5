// SPDX-License-Identifier: GPL-2.0
/*
 * ncctl: the classic BPF text parser (see bpf.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netctx.h>

#include "bpf.h"
#include "utils.h"

/* Lexer of nc_bpf_parse(). */
struct nc_bpf_lex {
	const char *p;
	unsigned int line;
};

/* Skip blanks, commas and comments; count lines. */
static void nc_bpf_skip(struct nc_bpf_lex *lx, bool commas)
{
	for (;;) {
		if (*lx->p == '\n') {
			lx->line++;
			lx->p++;
		} else if (isspace((unsigned char)*lx->p) ||
			   (commas && *lx->p == ',')) {
			lx->p++;
		} else if (*lx->p == '#' ||
			   (lx->p[0] == '/' && lx->p[1] == '/')) {
			while (*lx->p && *lx->p != '\n')
				lx->p++;
		} else {
			return;
		}
	}
}

/* A decimal or 0x number up to @max at lx->p. */
static int nc_bpf_num(struct nc_bpf_lex *lx, unsigned long max,
		      unsigned long *v)
{
	int base = 10;
	char *end;

	if (lx->p[0] == '0' && (lx->p[1] == 'x' || lx->p[1] == 'X')) {
		base = 16;
		if (!isxdigit((unsigned char)lx->p[2]))
			return -1;
	} else if (!isdigit((unsigned char)*lx->p)) {
		return -1;
	}
	errno = 0;
	*v = strtoul(lx->p, &end, base);
	if (errno || *v > max)
		return -1;
	/* A number ends at a separator, not inside a word like "12abc". */
	if (*end && !isspace((unsigned char)*end) && !strchr(",}#/", *end))
		return -1;
	lx->p = end;
	return 0;
}

/* Length of the word at @p, for messages: up to a blank, at most 16. */
static size_t nc_bpf_wordlen(const char *p)
{
	size_t n = 0;

	while (p[n] && !isspace((unsigned char)p[n]) && n < 16)
		n++;
	return n;
}

/* "code jt jf k": separated by blanks in the count form, commas in C. */
static int nc_bpf_insn(struct nc_bpf_lex *lx, bool c_form,
		       struct sock_filter *insn, char *err, size_t errlen)
{
	static const unsigned long max[4] = { 0xffff, 0xff, 0xff, 0xffffffff };
	static const char *const field[4] = { "code", "jt", "jf", "k" };
	unsigned long v[4];
	int i;

	for (i = 0; i < 4; i++) {
		nc_bpf_skip(lx, c_form);
		if (!*lx->p) {
			snprintf(err, errlen, "end of file: missing %s",
				 field[i]);
			return -1;
		}
		if (nc_bpf_num(lx, max[i], &v[i])) {
			snprintf(err, errlen, "line %u: invalid %s \"%.*s\"",
				 lx->line, field[i], (int)nc_bpf_wordlen(lx->p),
				 lx->p);
			return -1;
		}
	}
	insn->code = v[0];
	insn->jt = v[1];
	insn->jf = v[2];
	insn->k = v[3];
	return 0;
}

int nc_bpf_parse(const char *text, struct sock_filter **prog,
		 unsigned int *len, char *err, size_t errlen)
{
	struct nc_bpf_lex lx = { .p = text, .line = 1 };
	bool c_form = strchr(text, '{');
	struct sock_filter *insns;
	unsigned long count = 0;
	unsigned int n = 0;

	insns = calloc(NETCTX_BPF_MAX_INSNS, sizeof(*insns));
	if (!insns) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (!c_form) {
		/* Count form: "N" then N instructions. */
		nc_bpf_skip(&lx, false);
		if (nc_bpf_num(&lx, NETCTX_BPF_MAX_INSNS, &count) || !count) {
			snprintf(err, errlen,
				 "line %u: expected an instruction count 1..%d",
				 lx.line, NETCTX_BPF_MAX_INSNS);
			goto err_free;
		}
		for (n = 0; n < count; n++) {
			nc_bpf_skip(&lx, true);
			if (!*lx.p) {
				snprintf(err, errlen,
					 "%lu instructions announced, %u found",
					 count, n);
				goto err_free;
			}
			if (nc_bpf_insn(&lx, false, &insns[n], err, errlen))
				goto err_free;
		}
		nc_bpf_skip(&lx, true);
	} else {
		/* C form: "{ code, jt, jf, k }," repeated. */
		for (;;) {
			nc_bpf_skip(&lx, true);
			if (*lx.p != '{')
				break;
			if (n == NETCTX_BPF_MAX_INSNS) {
				snprintf(err, errlen,
					 "line %u: more than %d instructions",
					 lx.line, NETCTX_BPF_MAX_INSNS);
				goto err_free;
			}
			lx.p++;
			if (nc_bpf_insn(&lx, true, &insns[n], err, errlen))
				goto err_free;
			nc_bpf_skip(&lx, true);
			if (*lx.p != '}') {
				snprintf(err, errlen, "line %u: expected \"}\"",
					 lx.line);
				goto err_free;
			}
			lx.p++;
			n++;
		}
		if (!n && !*lx.p) {
			snprintf(err, errlen, "no instructions");
			goto err_free;
		}
	}
	if (*lx.p) {
		snprintf(err, errlen, "line %u: unexpected \"%.*s\"", lx.line,
			 (int)nc_bpf_wordlen(lx.p), lx.p);
		goto err_free;
	}
	*prog = insns;
	*len = n;
	return 0;

err_free:
	free(insns);
	return -1;
}

/* Enough for NETCTX_BPF_MAX_INSNS instructions in any of the text forms. */
#define NC_BPF_FILE_MAX		(1 << 20)

int nc_bpf_load(const char *path, struct sock_filter **prog,
		unsigned int *len, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	size_t n = 0, r;
	char *text;
	int ret = -1;

	if (!f) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	text = malloc(NC_BPF_FILE_MAX + 1);
	if (!text) {
		snprintf(err, errlen, "%s", strerror(errno));
		goto out_close;
	}
	while ((r = fread(text + n, 1, NC_BPF_FILE_MAX + 1 - n, f)) > 0)
		n += r;
	if (ferror(f)) {
		snprintf(err, errlen, "read error");
		goto out_free;
	}
	if (n > NC_BPF_FILE_MAX) {
		snprintf(err, errlen, "file larger than %d bytes",
			 NC_BPF_FILE_MAX);
		goto out_free;
	}
	if (memchr(text, '\0', n)) {
		snprintf(err, errlen, "not a text file");
		goto out_free;
	}
	text[n] = '\0';
	ret = nc_bpf_parse(text, prog, len, err, errlen);
out_free:
	free(text);
out_close:
	if (f != stdin)
		fclose(f);
	return ret;
}
