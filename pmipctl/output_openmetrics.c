/* output_openmetrics.c: pmipctl -o openmetrics show stats: every counter of show stats in the
 * OpenMetrics text format (OpenMetrics 1.0, "Text format": MetricFamilies each in one block with
 * its TYPE and HELP, counters sampled as NAME_total, an info family, "# EOF" last), for a
 * node-exporter textfile collector or any scraper. Names follow the Prometheus conventions:
 * pmip6_<lma|mag>_<group>_<name>[_total]; the groups whose counters are one dimension (pba by
 * status, rx and tx by message, malformed and dropped by reason) are one family with a label.
 * The records are kept until the end so that every family comes out whole whatever their order
 * in the answer; a counter sent twice is an error, never a sample twice. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmipctl/output.h"

struct labelled_group {
	const char *group, *label, *help;
};

static const struct labelled_group labelled[] = {
	{ "pba", "status",
	  "Proxy Binding Acknowledgements by status (sent by lmad, received by magd)" },
	{ "rx", "type", "Messages received, by type" },
	{ "tx", "type", "Messages sent, by type" },
	{ "malformed", "reason", "Messages dropped by the decoder, by reason" },
	{ "dropped", "reason", "Well-formed messages dropped, by reason" },
};

/* Counters that go up and down (or are bounds): gauges, sampled without _total. */
static const char *const gauge_names[] = {
	"current", "max", "mobile_nodes", "memory_bytes", "in_use", "resting", "tunnels",
};

static const char *role; /* "lma" or "mag": from the version record */
static char version[33];
static struct ctl_stat *stats;
static size_t n_stats, cap_stats;
static bool failed;
static char (*families)[96]; /* the names printed so far, one family each */
static size_t n_families;

static void om_begin(int kind)
{
	(void)kind;
	role = NULL;
	n_stats = 0;
	failed = false;
}

/* Records a family name; false (and a message) when two counters came to the same name. */
static bool family_new(const char *family)
{
	char(*more)[96];

	for (size_t i = 0; i < n_families; i++)
		if (strcmp(families[i], family) == 0) {
			fprintf(stderr, "pmipctl: two counters make the metric %s\n", family);
			return false;
		}
	more = realloc(families, (n_families + 1) * sizeof(*families));
	if (!more)
		return false;
	families = more;
	snprintf(families[n_families++], sizeof(families[0]), "%s", family);
	return true;
}

static void om_version(const struct ctl_version *v)
{
	if (strncmp(v->daemon, "lmad", sizeof(v->daemon)) == 0)
		role = "lma";
	else if (strncmp(v->daemon, "magd", sizeof(v->daemon)) == 0)
		role = "mag";
	snprintf(version, sizeof(version), "%.*s", (int)sizeof(v->version), v->version);
}

static void om_stat(const struct ctl_stat *s)
{
	if (n_stats == cap_stats) {
		size_t cap = cap_stats ? 2 * cap_stats : 256;
		struct ctl_stat *more = realloc(stats, cap * sizeof(*more));

		if (!more) {
			failed = true;
			return;
		}
		stats = more;
		cap_stats = cap;
	}
	stats[n_stats++] = *s;
}

/* A record's group or name as a C string (the record's fields need no NUL when full). */
static const char *field(const char *f, size_t size, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)size, f);
	return buf;
}

/* A metric name part: every character outside [a-zA-Z0-9_] becomes '_'. */
static void name_part(const char *s, char *out, size_t len)
{
	size_t i = 0;

	for (; s[i] && i + 1 < len; i++)
		out[i] = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		                         (s[i] >= '0' && s[i] <= '9')
		                 ? s[i]
		                 : '_';
	out[i] = '\0';
}

/* A label value with \\, \" and \n escaped (OpenMetrics "escaped-string"). */
static void label_value(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			printf("\\%c", *s);
		else if (*s == '\n')
			printf("\\n");
		else
			putchar(*s);
	}
}

static bool is_gauge(const char *name)
{
	for (size_t i = 0; i < sizeof(gauge_names) / sizeof(gauge_names[0]); i++)
		if (strcmp(name, gauge_names[i]) == 0)
			return true;
	return false;
}

static const struct labelled_group *labelled_group(const char *group)
{
	for (size_t i = 0; i < sizeof(labelled) / sizeof(labelled[0]); i++)
		if (strcmp(group, labelled[i].group) == 0)
			return &labelled[i];
	return NULL;
}

static bool same_stat(const struct ctl_stat *a, const struct ctl_stat *b)
{
	return strncmp(a->group, b->group, sizeof(a->group)) == 0 &&
	       strncmp(a->name, b->name, sizeof(a->name)) == 0;
}

/* Whether the record at i repeats an earlier one (a daemon bug: refused). */
static bool repeated(size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (same_stat(&stats[i], &stats[j])) {
			fprintf(stderr, "pmipctl: the daemon sent the counter %.*s %.*s twice\n",
			        (int)sizeof(stats[i].group), stats[i].group,
			        (int)sizeof(stats[i].name), stats[i].name);
			return true;
		}
	return false;
}

/* One family for the whole group: a sample per counter, its name as the label. */
static void family_labelled(const struct labelled_group *lg, bool *done)
{
	char group[20], name[48];

	printf("# TYPE pmip6_%s_%s counter\n# HELP pmip6_%s_%s %s\n", role, lg->group, role,
	       lg->group, lg->help);
	for (size_t i = 0; i < n_stats; i++) {
		if (strcmp(field(stats[i].group, sizeof(stats[i].group), group, sizeof(group)),
		           lg->group) != 0)
			continue;
		done[i] = true;
		printf("pmip6_%s_%s_total{%s=\"", role, lg->group, lg->label);
		label_value(field(stats[i].name, sizeof(stats[i].name), name, sizeof(name)));
		printf("\"} %llu\n", (unsigned long long)stats[i].value);
	}
}

/* One family for one counter: a gauge, or a counter (a trailing _total of its name dropped, as
 * the sample adds it). */
static int family_single(const struct ctl_stat *s)
{
	char group[20], name[48], family[96];
	size_t len;
	bool gauge;

	name_part(field(s->group, sizeof(s->group), group, sizeof(group)), group, sizeof(group));
	name_part(field(s->name, sizeof(s->name), name, sizeof(name)), name, sizeof(name));
	gauge = is_gauge(name);
	snprintf(family, sizeof(family), "pmip6_%s_%s_%s", role, group, name);
	len = strlen(family);
	if (!gauge && len > 6 && strcmp(family + len - 6, "_total") == 0)
		family[len - 6] = '\0';
	if (!family_new(family))
		return -1;
	printf("# TYPE %s %s\n# HELP %s The counter %s %s of pmipctl show stats, see pmipctl(8)\n",
	       family, gauge ? "gauge" : "counter", family, group, name);
	printf("%s%s %llu\n", family, gauge ? "" : "_total", (unsigned long long)s->value);
	return 0;
}

static void family_info(void)
{
	printf("# TYPE pmip6_%s_build info\n# HELP pmip6_%s_build The daemon's version\n", role,
	       role);
	printf("pmip6_%s_build_info{version=\"", role);
	label_value(version);
	printf("\"} 1\n");
}

/* Every family once, in the order of their first counter. */
static int families_print(bool *done)
{
	char group[20];

	n_families = 0;
	for (size_t i = 0; i < n_stats; i++) {
		const struct labelled_group *lg = labelled_group(
		        field(stats[i].group, sizeof(stats[i].group), group, sizeof(group)));

		if (done[i])
			continue;
		if (lg)
			family_labelled(lg, done);
		else if (family_single(&stats[i]) < 0)
			return -1;
	}
	return 0;
}

static int om_end(void)
{
	bool *done = calloc(n_stats + 1, sizeof(*done));
	int rc;

	if (!done || failed || !role) {
		fprintf(stderr, "pmipctl: %s\n", role ? "out of memory" : "not lmad or magd");
		free(done);
		return -1;
	}
	for (size_t i = 0; i < n_stats; i++)
		if (repeated(i)) {
			free(done);
			return -1;
		}
	family_info();
	rc = families_print(done);
	free(done);
	if (rc < 0)
		return -1; /* no "# EOF": a reader sees the exposition is not whole */
	printf("# EOF\n");
	return fflush(stdout) == 0 ? 0 : -1;
}

const struct output output_openmetrics = {
	.begin = om_begin,
	.stat = om_stat,
	.version = om_version,
	.end = om_end,
};
