/* Tests of src/base/netaddr: which addresses webhooks may reach, IPv4 and
 * IPv6 (with IPv4 inside), literal and by name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "base/netaddr.h"
#include "support.h"

static bool public4(const char *text)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	assert_int_equal(inet_pton(AF_INET, text, &sa.sin_addr), 1);
	return tb_addr_public((const struct sockaddr *)&sa);
}

static bool public6(const char *text)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6};
	assert_int_equal(inet_pton(AF_INET6, text, &sa.sin6_addr), 1);
	return tb_addr_public((const struct sockaddr *)&sa);
}

static void test_ipv4(void **state)
{
	(void)state;
	static const char *const refused[] = {
	    "0.0.0.0",         "0.1.2.3",        "10.0.0.1",       "10.255.255.255",  "100.64.0.1",
	    "100.127.255.254", "127.0.0.1",      "127.255.0.9",    "169.254.169.254", "169.254.0.1",
	    "172.16.0.1",      "172.31.255.255", "192.168.0.1",    "192.168.255.255", "224.0.0.1",
	    "239.255.255.250", "240.0.0.1",      "255.255.255.255"};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (public4(refused[i]))
			fail_msg("%s taken as public", refused[i]);
	static const char *const allowed[] = {
	    "8.8.8.8",         "1.1.1.1",        "9.255.255.255",   "11.0.0.1",
	    "100.63.255.255",  "100.128.0.1",    "126.255.255.255", "128.0.0.1",
	    "169.253.255.255", "172.15.255.255", "172.32.0.1",      "192.167.255.255",
	    "192.169.0.1",     "203.0.113.10",   "223.255.255.254"};
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (!public4(allowed[i]))
			fail_msg("%s taken as not public", allowed[i]);
}

static void test_ipv6(void **state)
{
	(void)state;
	static const char *const refused[] = {"::",
	                                      "::1",
	                                      "fe80::1",
	                                      "febf::1",
	                                      "fec0::1",
	                                      "fc00::1",
	                                      "fd12:3456::1",
	                                      "ff02::1",
	                                      "ff0e::fb",
	                                      "::ffff:127.0.0.1",
	                                      "::ffff:10.1.2.3",
	                                      "::ffff:169.254.169.254",
	                                      "::127.0.0.1",
	                                      "64:ff9b::a9fe:a9fe",
	                                      "64:ff9b::7f00:1"};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (public6(refused[i]))
			fail_msg("%s taken as public", refused[i]);
	static const char *const allowed[] = {"2001:db8::1", "2400:3200::1", "::ffff:8.8.8.8",
	                                      "64:ff9b::808:808", "fe00::1"};
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (!public6(allowed[i]))
			fail_msg("%s taken as not public", allowed[i]);
	struct sockaddr other = {.sa_family = AF_UNIX};
	assert_false(tb_addr_public(&other));
	assert_false(tb_addr_public(NULL));
}

static void test_hosts(void **state)
{
	(void)state;
	const char *why = NULL;
	assert_true(tb_host_public("203.0.113.10", &why));
	assert_true(tb_host_public("[2001:db8::1]", &why));
	assert_false(tb_host_public("127.0.0.1", &why));
	assert_string_equal(why,
	                    "the host is a private, loopback, link-local or multicast address");
	assert_false(tb_host_public("[::1]", &why));
	assert_false(tb_host_public("localhost", &why)); /* /etc/hosts: loopback */
	assert_false(tb_host_public("0x7f.1", &why));    /* 127.0.0.1 by inet_aton */
	assert_false(tb_host_public("2130706433", &why));
	assert_false(tb_host_public("", &why));
	assert_string_equal(why, "the host does not resolve");
	assert_false(tb_host_public("no-such-host.invalid", &why));
	assert_string_equal(why, "the host does not resolve");
}

/* Lists of trusted addresses (serve --trusted-proxy). */
static void test_lists(void **state)
{
	(void)state;
	assert_true(tb_addr_list_ok("10.0.0.10"));
	assert_true(tb_addr_list_ok("127.0.0.1,::1,192.0.2.7"));
	const char *bad[] = {"",           ",",          "1.2.3",
	                     "10.0.0.10,", ",10.0.0.10", "10.0.0.10,,::1",
	                     "10.0.0.10 ", "example.org"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(tb_addr_list_ok(bad[i]));
	assert_false(tb_addr_list_ok(NULL));
	assert_true(tb_addr_listed("127.0.0.1,::1", "::1"));
	assert_true(tb_addr_listed("127.0.0.1,0:0::1", "::1")); /* compared parsed */
	assert_true(tb_addr_listed("10.0.0.10,127.0.0.1", "127.0.0.1"));
	assert_false(tb_addr_listed("127.0.0.1", "127.0.0.2"));
	assert_false(tb_addr_listed("127.0.0.1", "::ffff:127.0.0.2"));
	assert_false(tb_addr_listed("127.0.0.1", "127.0.0.1,10.0.0.1"));
	assert_false(tb_addr_listed(NULL, "127.0.0.1"));
	assert_false(tb_addr_listed("127.0.0.1", "nonsense"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipv4),
	    cmocka_unit_test(test_ipv6),
	    cmocka_unit_test(test_hosts),
	    cmocka_unit_test(test_lists),
	};
	return cmocka_run_group_tests_name("netaddr", tests, NULL, NULL);
}
