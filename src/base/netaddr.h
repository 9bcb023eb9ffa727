/* Which network addresses the platform may call out to (webhooks): not
 * the machine itself or the networks around it, which a URL chosen by a
 * user must not reach (cloud metadata at 169.254.169.254, admin ports on
 * loopback, internal services). Exports tb_addr_public and
 * tb_host_public, and tb_curl_public_only for libcurl transfers (webhooks,
 * data providers' endpoints); and lists of addresses (tb_addr_list*). */
#ifndef TB_BASE_NETADDR_H
#define TB_BASE_NETADDR_H

#include <curl/curl.h>
#include <stdbool.h>
#include <sys/socket.h>

/* Whether sa (AF_INET or AF_INET6; anything else is not) is a public
 * unicast address: false for unspecified (0.0.0.0/8, ::), loopback
 * (127/8, ::1), private (10/8, 172.16/12, 192.168/16, shared 100.64/10,
 * fc00::/7), link-local (169.254/16, fe80::/10, and the old site-local
 * fec0::/10), multicast (224/4, ff00::/8) and reserved or broadcast
 * (240/4). IPv6 addresses that carry an IPv4 one (mapped ::ffff:0:0/96,
 * compatible ::/96, NAT64 64:ff9b::/96) are judged by it. */
bool tb_addr_public(const struct sockaddr *sa);

/* Resolves host (a name, an IPv4 literal, or an IPv6 literal with or
 * without brackets) and says whether every address it has is public.
 * When not, *reason (static) says why: "the host does not resolve" or
 * "the host is a private, loopback, link-local or multicast address".
 * Blocks while the resolver works. */
bool tb_host_public(const char *host, const char **reason);

/* Makes transfer h connect only to public addresses (tb_addr_public),
 * checked by libcurl after it resolves, for each address it tries (a name
 * that passed when it was registered may resolve to loopback later), and
 * never through a proxy (the check would see the proxy's address).
 * *refused (may be NULL) is set true when an address was refused. */
void tb_curl_public_only(CURL *h, bool *refused);

/* Lists of addresses ("10.0.0.10,::1": IPv4 or IPv6 literals separated by
 * commas, as serve --trusted-proxy takes them). tb_addr_list_ok: whether
 * list is one or more such addresses and nothing else. tb_addr_listed:
 * whether the literal addr is one of them, compared as parsed addresses
 * (::1 and 0:0::1 are one); false for a malformed addr. */
bool tb_addr_list_ok(const char *list);
bool tb_addr_listed(const char *list, const char *addr);

#endif
