// SPDX-License-Identifier: MIT
/*
 * xsk-probe: what xsk_probe() finds on the running kernel, feature by
 * feature, with the Linux version each one needs; --json prints the same
 * as one JSON object. Installed as xsk-probe by make install.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <xsk.h>

#define NAME "xsk-probe"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " NAME " [--json]\n"
		"Tell which AF_XDP features the running kernel has, each with "
		"the Linux\nversion that brought it, as libxsk's xsk_probe() "
		"finds them.\n\n"
		"      --json   print one JSON object instead of a table\n"
		"  -h, --help   this text\n\n"
		"Needs CAP_NET_RAW (to open AF_XDP sockets) and a page of "
		"locked memory.\n");
}

/*
 * xsk_feature_name() gives "name (version)": split it, so that the version
 * gets a column (and a JSON member) of its own.
 */
static void split_name(const char *full, char *name, size_t size,
		       const char **since)
{
	const char *open = strrchr(full, '(');
	size_t n = strlen(full);

	*since = "";
	if (open && open > full && open[-1] == ' ' && full[n - 1] == ')') {
		n = (size_t)(open - full) - 1;
		*since = open + 1;
	}
	if (n >= size)
		n = size - 1;
	memcpy(name, full, n);
	name[n] = '\0';
}

/* The version without the closing parenthesis. */
static int since_len(const char *since)
{
	size_t n = strlen(since);

	return (int)(n && since[n - 1] == ')' ? n - 1 : n);
}

static void json_string(const char *s, int len)
{
	putchar('"');
	for (int i = 0; i < len && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* The members every JSON answer starts with. */
static void json_head(const char *kernel)
{
	printf("{\"libxsk\": \"%d.%d.%d\", \"kernel\": ", LIBXSK_VERSION_MAJOR,
	       LIBXSK_VERSION_MINOR, LIBXSK_VERSION_PATCH);
	json_string(kernel, (int)strlen(kernel));
}

static int report(int json, const char *kernel, uint64_t found)
{
	const char *sep = "";
	char name[128];
	const char *since;

	if (json) {
		json_head(kernel);
		printf(", \"features\": [");
	} else {
		printf("Linux %s, libxsk %d.%d.%d\n\n", kernel,
		       LIBXSK_VERSION_MAJOR, LIBXSK_VERSION_MINOR,
		       LIBXSK_VERSION_PATCH);
		printf("%-40s %-12s %s\n", "feature", "since", "here");
	}
	for (int bit = 0; bit < 64; bit++) {
		const char *full = xsk_feature_name(1ull << bit);
		int here = (found >> bit) & 1;

		if (!full)
			continue;
		split_name(full, name, sizeof(name), &since);
		if (json) {
			printf("%s\n  {\"bit\": %d, \"name\": ", sep, bit);
			json_string(name, (int)strlen(name));
			printf(", \"since\": ");
			json_string(since, since_len(since));
			printf(", \"present\": %s}", here ? "true" : "false");
			sep = ",";
		} else {
			printf("%-40s %-12.*s %s\n", name, since_len(since),
			       since, here ? "yes" : "no");
		}
	}
	if (json)
		printf("\n]}\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct utsname u;
	uint64_t found = 0;
	int json = 0, err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, NAME ": unknown option '%s'\n",
				argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (uname(&u))
		strcpy(u.release, "unknown");

	err = xsk_probe(&found);
	if (err) {
		if (json) {
			json_head(u.release);
			printf(", \"error\": ");
			json_string(xsk_errmsg(), (int)strlen(xsk_errmsg()));
			printf(", \"errno\": %d}\n", -err);
		}
		fprintf(stderr, NAME ": %s (%s)\n", xsk_errmsg(),
			strerror(-err));
		return 1;
	}
	return report(json, u.release, found);
}
