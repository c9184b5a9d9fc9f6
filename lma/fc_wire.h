/* fc_wire.h: a flow policy (fc.h) as the control socket carries it (common/ctl_proto.h's struct
 * ctl_policy, draft-bernardos-mif-pmip-02 §5.3.2's operator-set policies): pmipctl encodes what
 * it parsed, lmad decodes and checks field by field what it received, and the other way round
 * for the policies lmad lists. */
#ifndef LMA_FC_WIRE_H
#define LMA_FC_WIRE_H

#include <stdbool.h>

#include "common/ctl_proto.h"
#include "lma/fc.h"

void fc_wire_encode(const struct fc_policy *p, struct ctl_policy *w);
/* False, p undefined, unless every field of w is in range and the policy fc_policy_valid(). */
bool fc_wire_decode(const struct ctl_policy *w, struct fc_policy *p);

#endif
