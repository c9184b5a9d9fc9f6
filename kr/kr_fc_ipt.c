/* kr_fc_ipt.c: the mangle-table chains of flow steering (draft-bernardos-mif-pmip-02 §5.3) and
 * the ipset of the prefixes they queue (made and removed here, its members changed by netlink in
 * kr_fc_ipset.c), with ip6tables-restore --noflush and ipset restore, which are run directly (no
 * shell) with fixed arguments and a script of ours on their standard input. ip6tables-restore
 * rather than libiptc (deprecated, legacy only) or nf_tables messages of our own (iptables-nft
 * stores xtables targets such as NFQUEUE in a private format): the same binary family
 * installs, lists and removes, whichever the system's alternative is. Our chains' names are the
 * tag: at start, whatever ip6tables-save shows of them, and every rule that jumps to them, is
 * removed.
 *
 *   PREROUTING -> PMIP6 (first rule)
 *   PMIP6:       not toward a prefix of the set pmip6_mh: RETURN      (one hash lookup)
 *                the connection has a mark: restore it, RETURN        (every later packet)
 *                the packet has a mark (NF_REPEAT verdict): save it, RETURN
 *                -> PMIP6_QUEUE
 *   PMIP6_QUEUE: -j NFQUEUE --queue-num N [--queue-bypass]
 *   PMIP6_DUP:   (entered by a packet whose mark has a bicast slot in its upper 16 bits, after
 *                the restore and after the save) per slot in use: TEE --gateway an address
 *                routed through the second binding's tunnel; then the slot cleared from the
 *                packet's mark (the connection keeps it), so the original takes its tunnel
 *   pmip6_mh:    hash:net, family inet6: the multihomed MNs' prefixes
 *
 * One set lookup instead of one rule per prefix, so a packet costs the same whatever the number
 * of multihomed MNs. Only packets toward those prefixes (downlink) get their connection's mark:
 * the uplink of a steered connection, which conntrack sees too once decapsulated (ip6tnl,
 * ebpf), must follow the main table, not go back into the tunnel its mark names. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "kr/kr_fc.h"

/* --- the scripts --- */

struct kr_fc_text {
	char *buf;
	size_t len;
	size_t used;
	bool overflow;
};

static void kr_fc_text_add(struct kr_fc_text *t, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void kr_fc_text_add(struct kr_fc_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->used, t->len - t->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->len - t->used)
		t->overflow = true;
	else
		t->used += (size_t)n;
}

static int kr_fc_text_end(struct kr_fc_text *t)
{
	if (t->overflow || t->used > INT_MAX) {
		errno = ENOSPC;
		return -1;
	}
	return (int)t->used;
}

int kr_fc_ipt_chain_text(char *buf, size_t len, const struct kr_fc_config *c)
{
	struct kr_fc_text t = { .buf = buf, .len = len };

	kr_fc_text_add(&t, "*mangle\n:%s - [0:0]\n:%s - [0:0]\n:%s - [0:0]\n", KR_FC_CHAIN,
	               KR_FC_CHAIN_QUEUE, KR_FC_CHAIN_DUP);
	kr_fc_text_add(&t, "-A %s -m set ! --match-set %s dst -j RETURN\n", KR_FC_CHAIN, KR_FC_SET);
	kr_fc_text_add(&t, "-A %s -m connmark ! --mark 0 -j CONNMARK --restore-mark\n",
	               KR_FC_CHAIN);
	/* connmark, not mark: a repeated packet (mark set, no connmark yet) must reach the save
	 * below with its slot, which the copy chain clears from the packet's mark */
	kr_fc_text_add(&t, "-A %s -m connmark ! --mark 0x0/0x%x -j %s\n", KR_FC_CHAIN,
	               KR_FC_DUP_MASK, KR_FC_CHAIN_DUP);
	kr_fc_text_add(&t, "-A %s -m connmark ! --mark 0 -j RETURN\n", KR_FC_CHAIN);
	kr_fc_text_add(&t, "-A %s -m mark ! --mark 0 -j CONNMARK --save-mark\n", KR_FC_CHAIN);
	kr_fc_text_add(&t, "-A %s -m mark ! --mark 0x0/0x%x -j %s\n", KR_FC_CHAIN, KR_FC_DUP_MASK,
	               KR_FC_CHAIN_DUP);
	kr_fc_text_add(&t, "-A %s -m mark ! --mark 0 -j RETURN\n", KR_FC_CHAIN);
	kr_fc_text_add(&t, "-A %s -j %s\n", KR_FC_CHAIN, KR_FC_CHAIN_QUEUE);
	kr_fc_text_add(&t, "-A %s -j NFQUEUE --queue-num %u%s\n", KR_FC_CHAIN_QUEUE, c->queue_num,
	               c->fail_open ? " --queue-bypass" : "");
	kr_fc_text_add(&t, "-A %s -j MARK --and-mark 0x%x\n", KR_FC_CHAIN_DUP,
	               (unsigned)~KR_FC_DUP_MASK);
	kr_fc_text_add(&t, "-I PREROUTING 1 -j %s\nCOMMIT\n", KR_FC_CHAIN);
	return kr_fc_text_end(&t);
}

/* Bicast through slot `slot`: a copy of each packet marked with it goes to gw (routed through
 * the second binding's tunnel); inserted before the chain's last rule, which clears the slot
 * from the mark so that the original follows its own tunnel's fwmark rule. */
int kr_fc_ipt_dup_text(char *buf, size_t len, uint16_t slot, const struct in6_addr *gw, bool on)
{
	struct kr_fc_text t = { .buf = buf, .len = len };
	char a[INET6_ADDRSTRLEN];

	if (slot == 0 || inet_ntop(AF_INET6, gw, a, sizeof(a)) == NULL) {
		errno = EINVAL;
		return -1;
	}
	kr_fc_text_add(&t, "*mangle\n%s %s%s -m mark --mark 0x%x/0x%x -j TEE --gateway %s\nCOMMIT\n",
	               on ? "-I" : "-D", KR_FC_CHAIN_DUP, on ? " 1" : "",
	               (unsigned)slot << KR_FC_DUP_SHIFT, KR_FC_DUP_MASK, a);
	return kr_fc_text_end(&t);
}

/* --- reading ip6tables-save --- */

/* Our chains, in the order the clean-up names them. */
static const char *const kr_fc_chains[] = { KR_FC_CHAIN, KR_FC_CHAIN_QUEUE, KR_FC_CHAIN_DUP };
#define KR_FC_N_CHAINS (sizeof(kr_fc_chains) / sizeof(kr_fc_chains[0]))

static bool kr_fc_is_ours(const char *name, size_t len)
{
	for (size_t i = 0; i < KR_FC_N_CHAINS; i++)
		if (len == strlen(kr_fc_chains[i]) && memcmp(name, kr_fc_chains[i], len) == 0)
			return true;
	return false;
}

/* The next word of the line at *p (words in double quotes skipped whole); false at its end. */
static bool kr_fc_word(const char **p, const char *end, const char **w, size_t *wlen)
{
	const char *s = *p;

	while (s < end && *s == ' ')
		s++;
	if (s == end)
		return false;
	*w = s;
	if (*s == '"') {
		for (s++; s < end && *s != '"'; s++)
			if (*s == '\\' && s + 1 < end)
				s++;
		if (s < end)
			s++;
	} else {
		while (s < end && *s != ' ')
			s++;
	}
	*wlen = (size_t)(s - *w);
	*p = s;
	return true;
}

/* A rule "-A CHAIN ..." of someone else's chain that jumps (or goes) to one of ours. */
static bool kr_fc_jumps_to_us(const char *line, const char *end)
{
	const char *p = line, *w;
	size_t wl;
	bool target = false;

	if (end - line < 3 || memcmp(line, "-A ", 3) != 0)
		return false;
	p += 3;
	if (!kr_fc_word(&p, end, &w, &wl) || kr_fc_is_ours(w, wl))
		return false;
	while (kr_fc_word(&p, end, &w, &wl)) {
		if (target && kr_fc_is_ours(w, wl))
			return true;
		target = (wl == 2 && (memcmp(w, "-j", 2) == 0 || memcmp(w, "-g", 2) == 0)) ||
		         (wl == 6 && memcmp(w, "--jump", 6) == 0) ||
		         (wl == 6 && memcmp(w, "--goto", 6) == 0);
	}
	return false;
}

struct kr_fc_scan {
	bool chain[KR_FC_N_CHAINS]; /* each of kr_fc_chains declared */
	unsigned jumps;
	struct kr_fc_text *t; /* NULL: only look */
};

static void kr_fc_scan_line(struct kr_fc_scan *s, const char *line, const char *end)
{
	size_t n = 0;

	if (*line == ':') {
		while (line + 1 + n < end && line[1 + n] != ' ')
			n++;
		for (size_t i = 0; i < KR_FC_N_CHAINS; i++)
			if (n == strlen(kr_fc_chains[i]) && memcmp(line + 1, kr_fc_chains[i], n) == 0)
				s->chain[i] = true;
	} else if (kr_fc_jumps_to_us(line, end)) {
		if (s->t != NULL)
			kr_fc_text_add(s->t, "-D%.*s\n", (int)(end - line - 2), line + 2);
		s->jumps++;
	}
}

/* Walks the mangle table's lines of ip6tables-save's output. */
static void kr_fc_scan(struct kr_fc_scan *s, const char *save)
{
	bool mangle = false;

	for (const char *line = save, *end; *line != '\0'; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		if (*line == '*')
			mangle = end - line == 7 && memcmp(line, "*mangle", 7) == 0;
		else if (mangle)
			kr_fc_scan_line(s, line, end);
	}
}

/* Declaring a chain that exists flushes it (--noflush), so that nothing in ours refers to the
 * other; the rules jumping to ours go next; then both chains can go. */
int kr_fc_ipt_clean_text(char *buf, size_t len, const char *save)
{
	struct kr_fc_text t = { .buf = buf, .len = len };
	struct kr_fc_scan s = { 0 };
	bool any = false;

	kr_fc_scan(&s, save);
	for (size_t i = 0; i < KR_FC_N_CHAINS; i++)
		any |= s.chain[i];
	if (!any && s.jumps == 0)
		return 0;
	kr_fc_text_add(&t, "*mangle\n");
	for (size_t i = 0; i < KR_FC_N_CHAINS; i++)
		if (s.chain[i])
			kr_fc_text_add(&t, ":%s - [0:0]\n", kr_fc_chains[i]);
	s.t = &t;
	s.jumps = 0;
	kr_fc_scan(&s, save);
	for (size_t i = 0; i < KR_FC_N_CHAINS; i++)
		if (s.chain[i])
			kr_fc_text_add(&t, "-X %s\n", kr_fc_chains[i]);
	kr_fc_text_add(&t, "COMMIT\n");
	return kr_fc_text_end(&t);
}

/* --- running ip6tables-restore and ip6tables-save --- */

/* The child's standard input, output and error are memory files: nothing can block on a pipe
 * or raise SIGPIPE, whatever the child does. */
static int kr_fc_memfd(const char *data, size_t len)
{
	int fd = memfd_create("kr_fc", MFD_CLOEXEC);
	size_t off = 0;
	ssize_t n;

	if (fd == -1)
		return -1;
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			(void)close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) == -1) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* What the child wrote to fd, NUL-terminated (malloc'd), at most max octets. */
static char *kr_fc_slurp(int fd, size_t max)
{
	struct stat sb;
	size_t off = 0, size;
	ssize_t n;
	char *buf;

	if (fstat(fd, &sb) == -1)
		return NULL;
	size = sb.st_size > 0 ? (size_t)sb.st_size : 0;
	if (size > max) {
		errno = EFBIG;
		return NULL;
	}
	if ((buf = malloc(size + 1)) == NULL)
		return NULL;
	while (off < size) {
		n = pread(fd, buf + off, size - off, (off_t)off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	buf[off] = '\0';
	return buf;
}

/* Runs argv[0] with fds[0..2] as its standard input, output and error; its wait status. */
static int kr_fc_spawn(char *const argv[], const int fds[3])
{
	static char *const env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	pid_t pid;
	int rc, st;

	sigemptyset(&none);
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
		errno = rc;
		return -1;
	}
	if ((rc = posix_spawnattr_init(&attr)) == 0) {
		for (int i = 0; i < 3 && rc == 0; i++)
			rc = posix_spawn_file_actions_adddup2(&fa, fds[i], i);
		if (rc == 0)
			rc = posix_spawnattr_setsigmask(&attr, &none);
		if (rc == 0)
			rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
		if (rc == 0)
			rc = posix_spawn(&pid, argv[0], &fa, &attr, argv, env);
		posix_spawnattr_destroy(&attr);
	}
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return st;
}

/* The first line of what the child wrote to its standard error. */
static void kr_fc_child_error(int fd, int st, char *err, size_t errlen, const char *what)
{
	char *msg = kr_fc_slurp(fd, 1 << 20);
	char *nl = msg != NULL ? strchr(msg, '\n') : NULL;

	if (nl != NULL)
		*nl = '\0';
	if (WIFEXITED(st))
		snprintf(err, errlen, "%s exited with %d: %s", what, WEXITSTATUS(st),
		         msg != NULL ? msg : "");
	else
		snprintf(err, errlen, "%s killed by signal %d", what,
		         WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	free(msg);
}

/* Runs argv with in on its standard input; 0 with its standard output in *out (malloc'd) if out
 * is not NULL, or -1 with the reason in err. */
static int kr_fc_run(char *const argv[], const char *in, char **out, char *err, size_t errlen)
{
	int fds[3], st = -1, e = 0;

	fds[0] = kr_fc_memfd(in, strlen(in));
	fds[1] = memfd_create("kr_fc_out", MFD_CLOEXEC);
	fds[2] = memfd_create("kr_fc_err", MFD_CLOEXEC);
	if (fds[0] != -1 && fds[1] != -1 && fds[2] != -1)
		st = kr_fc_spawn(argv, fds);
	if (st == -1) {
		e = errno;
		snprintf(err, errlen, "%s: %s", argv[0], strerror(e));
	} else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		e = EIO;
		kr_fc_child_error(fds[2], st, err, errlen, argv[0]);
	} else if (out != NULL && (*out = kr_fc_slurp(fds[1], KR_FC_SAVE_MAX)) == NULL) {
		e = errno;
		snprintf(err, errlen, "reading %s's output: %s", argv[0], strerror(e));
	}
	for (int i = 0; i < 3; i++)
		if (fds[i] != -1)
			(void)close(fds[i]);
	errno = e;
	return e == 0 ? 0 : -1;
}

int kr_fc_ipt_restore(const char *script, char *err, size_t errlen)
{
	char *const argv[] = { (char *)KR_FC_IPT_RESTORE, (char *)"-w", (char *)KR_FC_IPT_WAIT,
		               (char *)"--noflush", NULL };

	return kr_fc_run(argv, script, NULL, err, errlen);
}

int kr_fc_ipset_restore(const char *script, char *err, size_t errlen)
{
	char *const argv[] = { (char *)KR_FC_IPSET, (char *)"restore", NULL };

	return kr_fc_run(argv, script, NULL, err, errlen);
}

/* An empty set, whether or not one was there (a run that did not close left it). */
int kr_fc_ipset_create(char *err, size_t errlen)
{
	return kr_fc_ipset_restore("create " KR_FC_SET " hash:net family inet6 -exist\n"
	                           "flush " KR_FC_SET "\n",
	                           err, errlen);
}

/* Once no rule refers to it (the chains go first); made first, so there is always one to go. */
static int kr_fc_ipset_destroy(char *err, size_t errlen)
{
	if (access(KR_FC_IPSET, X_OK) == -1 && errno == ENOENT)
		return 0; /* no ipset here: nothing of ours either */
	return kr_fc_ipset_restore("create " KR_FC_SET " hash:net family inet6 -exist\n"
	                           "destroy " KR_FC_SET "\n",
	                           err, errlen);
}

static int kr_fc_ipt_clean_chains(char *err, size_t errlen)
{
	char *const argv[] = { (char *)KR_FC_IPT_SAVE, NULL };
	char *save = NULL, *script;
	int n, ret = -1;

	if (access(KR_FC_IPT_SAVE, X_OK) == -1 && errno == ENOENT)
		return 0; /* no ip6tables here: nothing of ours either */
	if (kr_fc_run(argv, "", &save, err, errlen) == -1)
		return -1;
	/* each line of the script is a line of save's, or one of a few of ours */
	if ((script = malloc(strlen(save) + KR_FC_TEXT_MAX)) == NULL)
		snprintf(err, errlen, "%s", strerror(errno));
	else if ((n = kr_fc_ipt_clean_text(script, strlen(save) + KR_FC_TEXT_MAX, save)) == -1)
		snprintf(err, errlen, "removing our chains: script too long");
	else
		ret = n == 0 ? 0 : kr_fc_ipt_restore(script, err, errlen);
	free(script);
	free(save);
	return ret;
}

int kr_fc_ipt_clean(char *err, size_t errlen)
{
	if (kr_fc_ipt_clean_chains(err, errlen) == -1)
		return -1;
	return kr_fc_ipset_destroy(err, errlen);
}
