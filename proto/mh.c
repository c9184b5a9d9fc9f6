/* mh.c: the Mobility Header itself (RFC 6275 §6.1.1) and the checks of §9.2 that every message
 * passes before its own fields are read: length against what arrived (octets beyond Header Len
 * ignored, RFC 8200 §4.7), Payload Proto, per-type minimum length; then dispatch to the message family and the option walk. */
#include <stdio.h>

#include "proto/mh_family.h"

static const struct mh_family *const families[] = {
	&mh_family_bu, &mh_family_ba,  &mh_family_be,  &mh_family_hb,
	&mh_family_br, &mh_family_upn, &mh_family_upa,
};

static const struct mh_family *family_find(unsigned type)
{
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (families[i]->type == type)
			return families[i];
	return NULL;
}

void mh_params_init(struct mh_params *p)
{
	p->muho_type = MH_MUHO_TYPE_DEFAULT;
}

void mh_msg_init(struct mh_msg *msg, enum mh_type type)
{
	memset(msg, 0, sizeof(*msg));
	msg->type = (uint8_t)type;
	msg->err_opt = -1;
}

static int decode_fail(struct mh_msg *m, int err, size_t off)
{
	m->err_off = off;
	return err;
}

/* RFC 6275 §9.2's checks of the header and of the type's fixed part, which need no option: MH_OK
 * with the message's length and family, or the error with *err_off at the field at fault. */
static int header_check(const uint8_t *buf, size_t len, size_t *msg_len,
                        const struct mh_family **f, uint8_t *type, size_t *err_off)
{
	struct wire w;
	uint8_t proto, hdrlen;

	*err_off = 0;
	if (len < MH_HDR_LEN)
		return MH_E_SHORT;
	wire_init_read(&w, buf, len);
	proto = wire_get_u8(&w);
	hdrlen = wire_get_u8(&w);
	*type = wire_get_u8(&w);
	*msg_len = ((size_t)hdrlen + 1) * 8;
	/* Octets past *msg_len follow a header whose next header is 59: RFC 8200 §4.7 says they
	 * must be ignored, so they are (the message is the first *msg_len). */
	if (*msg_len > len)
		return (*err_off = 1, MH_E_HDRLEN);
	if (proto != MH_PAYLOAD_PROTO)
		return MH_E_PROTO;
	if (!(*f = family_find(*type)))
		return (*err_off = 2, MH_E_TYPE);
	if (*msg_len < MH_HDR_LEN + (size_t)(*f)->fixed_len)
		return (*err_off = 1, MH_E_MSGLEN);
	return MH_OK;
}

int mh_check_header(const uint8_t *buf, size_t len, size_t *err_off)
{
	const struct mh_family *f;
	size_t msg_len;
	uint8_t type;

	return header_check(buf, len, &msg_len, &f, &type, err_off);
}

int mh_decode(const uint8_t *buf, size_t len, const struct mh_params *p, struct mh_msg *out)
{
	const struct mh_family *f;
	struct wire body;
	size_t msg_len, off;
	int rc;

	mh_msg_init(out, 0);
	rc = header_check(buf, len, &msg_len, &f, &out->type, &off);
	if (rc != MH_OK)
		return decode_fail(out, rc, off);
	/* The body cursor keeps offsets relative to the message start, as option alignment is. */
	wire_init_read(&body, buf, msg_len);
	wire_skip(&body, MH_HDR_LEN);
	f->decode_fixed(&body, out);
	return mh_opts_decode(&body, f, p, out);
}

ssize_t mh_encode(const struct mh_msg *msg, const struct mh_params *p, uint8_t *buf, size_t cap)
{
	const struct mh_family *f = family_find(msg->type);
	struct wire w;
	int rc;

	if (!f)
		return -MH_E_TYPE;
	wire_init_write(&w, buf, cap < MH_MAX_LEN ? cap : MH_MAX_LEN);
	wire_put_u8(&w, MH_PAYLOAD_PROTO);
	wire_put_u8(&w, 0); /* Header Len, patched below */
	wire_put_u8(&w, f->type);
	wire_put_u8(&w, 0);
	wire_put_u16(&w, 0); /* checksum: the kernel fills it for raw MH sockets */
	f->encode_fixed(&w, msg);
	rc = mh_opts_encode(&w, &msg->opts, p);
	if (rc != MH_OK)
		return -rc;
	mh_pad_to(&w, 8, 0);
	wire_patch_u8(&w, 1, (uint8_t)(w.pos / 8 - 1));
	if (w.err)
		return -MH_E_NOSPACE;
	return (ssize_t)w.pos;
}

static const char *const err_text[MH_E_COUNT] = {
	[MH_OK] = "no error",
	[MH_E_SHORT] = "shorter than the Mobility Header",
	[MH_E_HDRLEN] = "header length beyond the received bytes",
	[MH_E_PROTO] = "payload proto is not 59",
	[MH_E_TYPE] = "unknown MH type",
	[MH_E_MSGLEN] = "shorter than the message type's minimum",
	[MH_E_OPT_TRUNC] = "option header cut by the end of the message",
	[MH_E_OPT_OVERRUN] = "option overruns the message",
	[MH_E_OPT_LEN] = "wrong option length",
	[MH_E_OPT_DUP] = "single-instance option repeated",
	[MH_E_OPT_MANY] = "too many prefix options",
	[MH_E_PREFIXLEN] = "prefix length over 128",
	[MH_E_MNID_EMPTY] = "empty MN identifier",
	[MH_E_MNID_LONG] = "MN identifier too long",
	[MH_E_NAI] = "NAI with a non-printable byte",
	[MH_E_NOSPACE] = "no room to encode the message",
	[MH_E_INVAL] = "message cannot be encoded",
};

static const char *const err_names[MH_E_COUNT] = {
	[MH_OK] = "ok",
	[MH_E_SHORT] = "short",
	[MH_E_HDRLEN] = "hdrlen",
	[MH_E_PROTO] = "payload_proto",
	[MH_E_TYPE] = "type",
	[MH_E_MSGLEN] = "msglen",
	[MH_E_OPT_TRUNC] = "opt_trunc",
	[MH_E_OPT_OVERRUN] = "opt_overrun",
	[MH_E_OPT_LEN] = "opt_len",
	[MH_E_OPT_DUP] = "opt_dup",
	[MH_E_OPT_MANY] = "opt_many",
	[MH_E_PREFIXLEN] = "prefixlen",
	[MH_E_MNID_EMPTY] = "mnid_empty",
	[MH_E_MNID_LONG] = "mnid_long",
	[MH_E_NAI] = "nai",
	[MH_E_NOSPACE] = "nospace",
	[MH_E_INVAL] = "inval",
};

const char *mh_strerror(int err)
{
	if (err < 0)
		err = -err;
	return err < MH_E_COUNT ? err_text[err] : "unknown error";
}

const char *mh_err_name(int err)
{
	if (err < 0)
		err = -err;
	return err < MH_E_COUNT ? err_names[err] : "unknown";
}

const char *mh_type_name(unsigned type)
{
	const struct mh_family *f = family_find(type);

	return f ? f->name : "unknown";
}
