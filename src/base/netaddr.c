/* Public addresses (see netaddr.h). */
#include "base/netaddr.h"

#include <arpa/inet.h>
#include <errno.h>

#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static bool v4_public(uint32_t a) /* host byte order */
{
	static const struct {
		uint32_t net, mask;
	} refused[] = {
	    {0x00000000u, 0xff000000u}, /* 0/8: this network, unspecified */
	    {0x0a000000u, 0xff000000u}, /* 10/8 */
	    {0x64400000u, 0xffc00000u}, /* 100.64/10: carrier-grade NAT */
	    {0x7f000000u, 0xff000000u}, /* 127/8 */
	    {0xa9fe0000u, 0xffff0000u}, /* 169.254/16 */
	    {0xac100000u, 0xfff00000u}, /* 172.16/12 */
	    {0xc0a80000u, 0xffff0000u}, /* 192.168/16 */
	    {0xe0000000u, 0xf0000000u}, /* 224/4: multicast */
	    {0xf0000000u, 0xf0000000u}, /* 240/4: reserved, broadcast */
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if ((a & refused[i].mask) == refused[i].net)
			return false;
	return true;
}

static uint32_t v4_at(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool v6_public(const unsigned char *b)
{
	static const unsigned char zero[12] = {0};
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};
	/* An IPv4 address inside: judged as itself (::1 and :: are in the
	 * compatible range and fail as 0.0.0.1 and 0.0.0.0 would). */
	if (!memcmp(b, mapped, 12) || !memcmp(b, zero, 12) || !memcmp(b, nat64, 12))
		return v4_public(v4_at(b + 12));
	if ((b[0] & 0xfe) == 0xfc) /* fc00::/7: unique local */
		return false;
	if (b[0] == 0xfe && (b[1] & 0x80) == 0x80) /* fe80::/10 and fec0::/10 */
		return false;
	if (b[0] == 0xff) /* multicast */
		return false;
	return true;
}

bool tb_addr_public(const struct sockaddr *sa)
{
	if (!sa)
		return false;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		return v4_public(v4_at((const unsigned char *)&in->sin_addr));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		return v6_public(in6->sin6_addr.s6_addr);
	}
	return false;
}

bool tb_host_public(const char *host, const char **reason)
{
	*reason = "the host does not resolve";
	if (!host || !*host)
		return false;
	char name[256];
	size_t n = strlen(host);
	if (host[0] == '[' && n > 2 && host[n - 1] == ']')
		snprintf(name, sizeof(name), "%.*s", (int)(n - 2), host + 1);
	else
		snprintf(name, sizeof(name), "%s", host);
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	if (getaddrinfo(name, NULL, &hints, &res) != 0 || !res)
		return false;
	/* Every address: a name with one public and one loopback address
	 * would let the connection pick the loopback one. */
	bool ok = true;
	for (const struct addrinfo *ai = res; ai && ok; ai = ai->ai_next)
		ok = tb_addr_public(ai->ai_addr);
	freeaddrinfo(res);
	if (!ok)
		*reason = "the host is a private, loopback, link-local or multicast address";
	return ok;
}

/* libcurl's socket opener for tb_curl_public_only. clientp: bool * or NULL. */
static curl_socket_t open_public(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
	if (purpose != CURLSOCKTYPE_IPCXN || !tb_addr_public(&a->addr)) {
		if (clientp)
			*(bool *)clientp = true;
		errno = EACCES;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

void tb_curl_public_only(CURL *h, bool *refused)
{
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_public);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, refused);
	curl_easy_setopt(h, CURLOPT_PROXY, "");
}

/* Parses the entry of list at *p (up to a comma or the end) into bin and
 * *fam, and moves *p past it and its comma; false when it is not an
 * address. */
static bool next_addr(const char **p, unsigned char bin[16], int *fam)
{
	size_t len = strcspn(*p, ",");
	char one[64];
	bool ok = len > 0 && len < sizeof(one);
	if (ok) {
		memcpy(one, *p, len);
		one[len] = '\0';
		*fam = strchr(one, ':') ? AF_INET6 : AF_INET;
		ok = inet_pton(*fam, one, bin) == 1;
	}
	*p += len;
	if (**p == ',')
		(*p)++;
	return ok;
}

bool tb_addr_list_ok(const char *list)
{
	unsigned char bin[16];
	int fam;
	if (!list || !*list || list[strlen(list) - 1] == ',')
		return false;
	while (*list)
		if (!next_addr(&list, bin, &fam))
			return false;
	return true;
}

bool tb_addr_listed(const char *list, const char *addr)
{
	unsigned char want[16], got[16];
	int fam, f;
	const char *a = addr;
	if (!list || !next_addr(&a, want, &fam) || *a)
		return false;
	while (*list)
		if (next_addr(&list, got, &f) && f == fam &&
		    memcmp(want, got, fam == AF_INET6 ? 16 : 4) == 0)
			return true;
	return false;
}
