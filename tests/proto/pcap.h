/* pcap.h: writes Mobility Header messages into a classic pcap file as raw IPv6 packets
 * (LINKTYPE_RAW) with a correct MH checksum, for an independent decoder (tshark) to read. */
#ifndef TESTS_PROTO_PCAP_H
#define TESTS_PROTO_PCAP_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

FILE *pcap_open(const char *path);
/* Wraps mh in an IPv6 header (next header 135, hop limit 64), fills the MH checksum in a copy,
 * and appends the packet. False on a write error or an MH over 2048 octets. */
bool pcap_write_mh(FILE *f, const struct in6_addr *src, const struct in6_addr *dst,
                   const uint8_t *mh, size_t len);
bool pcap_close(FILE *f);

#endif
