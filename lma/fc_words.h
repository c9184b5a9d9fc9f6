/* fc_words.h: flow policies as words (pmipctl's command line and its printout), see fc_words.c. */
#ifndef LMA_FC_WORDS_H
#define LMA_FC_WORDS_H

#include <stdio.h>

#include "lma/fc.h"

/* Parses "match words... to target"; -1 with a message naming the wrong word in err. */
int fc_policy_from_words(struct fc_policy *p, char *const *words, size_t n, char *err,
                         size_t errlen);
/* The steering part alone, after the match: "to TARGET", or a mode, its targets (load-balance:
 * each with "weight N", 1 when left out) and options ("hold-down DURATION", "fail-back
 * yes|no" but for bicast and smallest-delay, "by bytes|flows" for load-balance, "hysteresis
 * N%|DURATION" for smallest-delay); lmad.conf's grammar reads its policies' ends through it. */
int fc_steering_from_words(struct fc_policy *p, char *const *words, size_t n, char *err,
                           size_t errlen);
/* Prints the policy in the same words (without its id), no newline. */
void fc_policy_print_words(FILE *out, const struct fc_policy *p);
/* The pieces, shared with lmad.conf's printout: each match word is preceded by a space; word()
 * prints the MN-ID (lmad.conf quotes it when needed; NULL prints it as it is). */
void fc_match_print_words(FILE *out, const struct fc_match *m,
                          void (*word)(FILE *out, const char *word));
/* "to TARGET", or the mode, its targets and the options that differ from the defaults. */
void fc_target_print_words(FILE *out, const struct fc_policy *p);

#endif
