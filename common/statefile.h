/* statefile.h: the line format both daemons' state files share (lmad's leases, lma/leases.h;
 * magd's bindings, mag/bulfile.h): text an operator can read, a record a line, words separated
 * by spaces, '#' comments. An identifier (an MN-ID: RFC 4282 NAIs allow more than the file's
 * word syntax) is written with every byte outside '!'..'~', and '%' itself, as %XX. Reading is
 * for untrusted text: every function checks its whole input. */
#ifndef COMMON_STATEFILE_H
#define COMMON_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "proto/mh.h"

#define SF_ID_MAX (3 * MH_MNID_MAX) /* an escaped MN-ID at its longest */

/* Writes the first len (at most MH_MNID_MAX) bytes of id escaped into out (SF_ID_MAX + 1
 * bytes), NUL-terminated; returns the length written. */
size_t sf_escape(const char *id, size_t len, char *out);
/* Undoes sf_escape() into out (MH_MNID_MAX + 1 bytes); false if malformed, empty, longer than
 * MH_MNID_MAX or holding a NUL. */
bool sf_unescape_id(const char *s, char *out);
/* "ADDR/LEN" into pfx; false unless exactly that, with every bit past LEN zero. */
bool sf_prefix(const char *s, struct mh_prefix *pfx);
/* Splits line in place into at most max words; the number found, max + 1 if there are more. */
unsigned sf_split(char *line, char **word, unsigned max);
/* The next line into buf without its newline; false at the end. A line longer than buf is
 * consumed whole, returned cut and flagged in *long_line: the caller refuses it. */
bool sf_next_line(FILE *in, char *buf, size_t size, bool *long_line);
/* An empty line, or a comment. */
bool sf_blank(const char *line);

#endif
