/*
 * IP address checks for lab.json interfaces (ipaddr.h). Python's ipaddress
 * refuses IPv4 octets with leading zeros, which inet_pton does too; an
 * IPv6 scope ("fe80::1%eth0") is accepted and ignored for containment.
 */
#include "ipaddr.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

typedef struct addr {
	int family;
	unsigned char bytes[16];
	int bits; /* 32 or 128 */
} addr;

static bool parse_addr(const char *s, addr *out)
{
	char buf[64];
	size_t n = strlen(s);
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n + 1);
	if (inet_pton(AF_INET, buf, out->bytes) == 1) {
		out->family = AF_INET;
		out->bits = 32;
		return true;
	}
	char *scope = strchr(buf, '%');
	if (scope) {
		if (scope[1] == '\0' || strchr(scope + 1, '/'))
			return false;
		*scope = '\0';
	}
	if (inet_pton(AF_INET6, buf, out->bytes) == 1) {
		out->family = AF_INET6;
		out->bits = 128;
		return true;
	}
	return false;
}

bool ip_is_address(const char *s)
{
	addr a;
	return parse_addr(s, &a);
}

static bool parse_network(const char *s, addr *net, int *prefix)
{
	char buf[64];
	size_t n = strlen(s);
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n + 1);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (strchr(buf, '%') || !parse_addr(buf, net))
		return false;
	*prefix = net->bits;
	if (slash) {
		const char *d = slash + 1;
		if (!*d || strlen(d) > 3)
			return false;
		for (const char *c = d; *c; c++)
			if (*c < '0' || *c > '9')
				return false;
		*prefix = atoi(d);
		if (*prefix > net->bits)
			return false;
	}
	return true;
}

static bool host_bits_clear(const addr *a, int prefix)
{
	for (int bit = prefix; bit < a->bits; bit++)
		if (a->bytes[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

bool ip_is_network(const char *s)
{
	addr net;
	int prefix;
	return parse_network(s, &net, &prefix) && host_bits_clear(&net, prefix);
}

bool ip_in_network(const char *ip, const char *s)
{
	addr a, net;
	int prefix;
	if (!parse_addr(ip, &a) || !parse_network(s, &net, &prefix) || a.family != net.family)
		return false;
	for (int bit = 0; bit < prefix; bit++) {
		unsigned char m = 0x80 >> (bit % 8);
		if ((a.bytes[bit / 8] & m) != (net.bytes[bit / 8] & m))
			return false;
	}
	return true;
}
