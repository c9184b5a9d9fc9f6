/* statefile.c: the line format of the state the daemons keep across a restart (lmad's lease
 * file, magd's binding file; see statefile.h): escaped identifiers, prefixes, words, lines. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfgparse.h"
#include "common/statefile.h"

size_t sf_escape(const char *id, size_t len, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (size_t i = 0; i < len && i < MH_MNID_MAX; i++) {
		unsigned char c = (unsigned char)id[i];

		if (c < '!' || c > '~' || c == '%') {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
	return n;
}

bool sf_unescape_id(const char *s, char *out)
{
	size_t n = 0;

	for (; *s; s++) {
		int c = (unsigned char)*s, hi, lo;

		if (c < '!' || c > '~')
			return false;
		if (c == '%') {
			if ((hi = cfg_hex_digit(s[1])) < 0 || (lo = cfg_hex_digit(s[2])) < 0)
				return false;
			c = hi << 4 | lo;
			s += 2;
		}
		if (c == 0 || n == MH_MNID_MAX)
			return false;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return n > 0;
}

bool sf_prefix(const char *s, struct mh_prefix *pfx)
{
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	char *end;
	unsigned long len;

	if (!slash || (size_t)(slash - s) >= sizeof(addr))
		return false;
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (slash[1] < '0' || slash[1] > '9')
		return false;
	len = strtoul(slash + 1, &end, 10);
	if (*end != '\0' || len > 128 || inet_pton(AF_INET6, addr, &pfx->addr) != 1)
		return false;
	pfx->len = (uint8_t)len;
	return cfg_prefix_host_bits_zero(&pfx->addr, pfx->len);
}

unsigned sf_split(char *line, char **word, unsigned max)
{
	unsigned n = 0;

	for (char *tok = strtok(line, " \t"); tok; tok = strtok(NULL, " \t")) {
		if (n == max)
			return max + 1;
		word[n++] = tok;
	}
	return n;
}

bool sf_next_line(FILE *in, char *buf, size_t size, bool *long_line)
{
	size_t n;

	if (!fgets(buf, (int)size, in))
		return false;
	n = strlen(buf);
	*long_line = n == size - 1 && buf[n - 1] != '\n';
	if (*long_line) {
		int c;

		while ((c = fgetc(in)) != EOF && c != '\n')
			;
	}
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return true;
}

bool sf_blank(const char *line)
{
	line += strspn(line, " \t");
	return *line == '\0' || *line == '#';
}
