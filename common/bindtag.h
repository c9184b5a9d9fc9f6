/* bindtag.h: the binding tag, which names one binding of an MN to the MAG that holds it together
 * with another binding of the same MN (doc/datapath.md, "Two bindings behind one MAG"). The LMA
 * writes it in the outer flow label of a flow moved to that binding (RFC 6437 §2: the label is
 * the source's to set; RFC 6438's hash keeps the other 19 bits of the others' labels); the MAG
 * turns it back into the binding's access interface. Both ends derive it from what both know of
 * the binding without signalling: its key of RFC 5213 §5.4.1 beyond the MN-ID, the MN
 * link-layer identifier and the access technology type. */
#ifndef COMMON_BINDTAG_H
#define COMMON_BINDTAG_H

#include <stddef.h>
#include <stdint.h>

#define BINDTAG_FLAG 0x80000u /* the outer flow label's top bit: a tag in the 19 below */
#define BINDTAG_MASK 0x7ffffu

/* The 19-bit tag of the binding with this MN link-layer identifier (llid_len octets, 0 for
 * none) and access technology type. */
uint32_t bindtag_of(const uint8_t *llid, size_t llid_len, uint8_t att);

#endif
