/*
 * cli_print.c: what the commands print alike: errors and warnings as
 * "runner: ..." on stderr (with the exit code an error maps to), times
 * and sizes, the events of the commands that change the database, and
 * the drift section of status and verify --live.
 */
#include <stdio.h>
#include <string.h>

#include "cli_int.h"
#include "error.h"
#include "banned.h"

/* s[0, len) as a JSON string. */
void
cli_json_strn(struct buf *b, const char *s, size_t len)
{
	size_t i;

	buf_addch(b, '"');
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			buf_addf(b, "\\%c", ch);
		else if (ch == '\n')
			buf_adds(b, "\\n");
		else if (ch == '\t')
			buf_adds(b, "\\t");
		else if (ch < 0x20)
			buf_addf(b, "\\u%04x", ch);
		else
			buf_addch(b, ch);
	}
	buf_addch(b, '"');
}

void
cli_json_str(struct buf *b, const char *s)
{
	if (s == NULL)
		buf_adds(b, "null");
	else
		cli_json_strn(b, s, strlen(s));
}

int
cli_fail(struct buf *err, int code)
{
	const char *p, *nl;

	if (err->len == 0)
		buf_adds(err, "failed");
	for (p = err->buf; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		fprintf(stderr, "runner: %.*s\n", (int)(nl - p), p);
		if (*nl == '\0')
			break;
	}
	buf_release(err);
	fleet_error(code);
	if (code == RUNNER_EAFTER)
		return EXIT_AFTER;
	return code == RUNNER_EUSAGE ? EXIT_USAGE : EXIT_FAIL;
}

void
cli_warnings(const struct migset *files)
{
	const char *p = files->warnings.buf, *nl;

	for (; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		fprintf(stderr, "runner: warning: %.*s\n", (int)(nl - p), p);
}

void
print_ms(FILE *f, double ms)
{
	if (ms >= 1000)
		fprintf(f, "%.2f s", ms / 1000);
	else
		fprintf(f, "%.1f ms", ms);
}

/* Prints a section's SQL without its leading and trailing blank lines. */
static void
print_sql(const char *text, size_t len)
{
	while (len && (*text == '\n' || *text == ' ' || *text == '\t'))
		text++, len--;
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' ' ||
	    text[len - 1] == '\t'))
		len--;
	printf("%.*s\n", (int)len, text);
}

void
cli_on_event(void *arg, const struct runner_event *ev)
{
	const struct cli *c = arg;

	fleet_event(ev->type);
	if (ev->type == EV_WARNING) {
		fprintf(stderr, "runner: warning: %s: %s\n", ev->path, ev->text);
		return;
	}
	if (c->g->quiet)
		return;
	switch (ev->type) {
	case EV_APPLIED:
	case EV_ROLLED_BACK:
		printf("%s %s: %s (", ev->type == EV_APPLIED ? "Applied" :
		    "Rolled back", ev->version, ev->name);
		print_ms(stdout, ev->ms);
		puts(")");
		break;
	case EV_DRYRUN:
		printf("-- %s", ev->path);
		if (section_options_text(ev->flags))
			printf(" (%s)", section_options_text(ev->flags));
		putchar('\n');
		print_sql(ev->text, ev->len);
		putchar('\n');
		break;
	case EV_SEEDED:
		printf("Seeded %s\n", ev->path);
		break;
	case EV_REPAIRED:
		printf("Repaired %.*s\n", (int)ev->len, ev->text);
		break;
	case EV_STAMPED:
		printf("Stamped %s: %s\n", ev->version, ev->name);
		break;
	case EV_ADOPTED:
		printf("Adopted %s: %s", ev->version, ev->name);
		if (ev->text)
			printf(" (applied %s)", ev->text);
		if (ev->path == NULL)
			printf(" (no file: recorded as irreversible)");
		putchar('\n');
		break;
	default:	/* EV_WARNING; verify's events in cmd_verify.c */
		break;
	}
	fflush(stdout);
}

void
cli_notes(const struct cli *c, const struct buf *notes)
{
	const char *p, *nl;

	if (c->g->quiet)
		return;
	for (p = notes->buf; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		fprintf(stderr, "runner: %.*s\n", (int)(nl - p), p);
}

const char *
size_text(char *out, size_t len, uint64_t n)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB",
	    "TiB" };
	double v = (double)n;
	int i = 0;

	while (v >= 1024 && i < 4)
		v /= 1024, i++;
	if (i == 0)
		snprintf(out, len, "%llu bytes", (unsigned long long)n);
	else
		snprintf(out, len, "%.1f %s", v, unit[i]);
	return out;
}

void
print_size(FILE *f, uint64_t n)
{
	char s[32];

	fputs(size_text(s, sizeof(s), n), f);
}

void
cli_summary(const struct cli *c, size_t n, const char *verb, double ms)
{
	if (c->g->quiet)
		return;
	printf("%zu migration%s %s in ", n, n == 1 ? "" : "s", verb);
	print_ms(stdout, ms);
	puts(".");
}

void
cli_print_drift(const struct drift *d, int always)
{
	const char *p, *nl;

	if (d->note.len)
		printf("\nNo drift record to use (%s): checking by replaying "
		    "the applied migrations.\n", d->note.buf);
	if (!d->checked) {
		printf("\nSchema drift not checked: %s.\n", d->why.buf);
		return;
	}
	if (d->n == 0) {
		if (always)
			puts("\nNo schema drift: the database's schema is what "
			    "its applied migrations produce.");
		return;
	}
	printf("\nSchema drift: %zu difference%s from what the applied "
	    "migrations produce:\n", d->n, d->n == 1 ? "" : "s");
	for (p = d->diff.buf; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		printf("  %.*s\n", (int)(nl - p), p);
}
