/*
 * IP addresses and networks as upstream otto-sh checks an interface
 * (Python's ipaddress.ip_address and ip_network(strict=True)).
 */
#ifndef JSON_IPADDR_H
#define JSON_IPADDR_H

#include <stdbool.h>

/* Whether s is an IPv4 or IPv6 address (an IPv6 scope, "%eth0", allowed). */
bool ip_is_address(const char *s);
/* Whether s is a network "address[/prefix]" with no host bits set. */
bool ip_is_network(const char *s);
/* Whether address `ip` lies inside network `net` (both valid). */
bool ip_in_network(const char *ip, const char *net);

#endif
