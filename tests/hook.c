/* The webhook receiver of the API tests (see hook.h). */
#include "hook.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/hmac.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define KEPT 512

static int fd = -1;
static _Atomic int count, bad, delay_ms;
static _Atomic bool stop;
static char secret[64];
static pthread_t thread;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char *bodies[KEPT];
static int nbodies;

/* Whether the request in buf (headers) signs body[0..len) with secret. */
static bool signed_well(const char *buf, const char *body, long len)
{
	unsigned char mac[32];
	unsigned int ml = 0;
	pthread_mutex_lock(&mu);
	HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)body, (size_t)len,
	     mac, &ml);
	pthread_mutex_unlock(&mu);
	char want[96] = "sha256=";
	for (unsigned i = 0; i < ml; i++)
		snprintf(want + 7 + 2 * i, 3, "%02x", mac[i]);
	return strstr(buf, want) != NULL;
}

static void *loop(void *arg)
{
	(void)arg;
	while (!stop) {
		int c = accept(fd, NULL, NULL);
		if (c < 0)
			continue;
		char buf[16384];
		size_t n = 0;
		ssize_t k;
		char *body = NULL;
		long len = -1;
		while ((k = read(c, buf + n, sizeof(buf) - 1 - n)) > 0) {
			n += (size_t)k;
			buf[n] = '\0';
			char *end = strstr(buf, "\r\n\r\n");
			if (end && len < 0) {
				char *cl = strcasestr(buf, "Content-Length:");
				len = cl ? strtol(cl + 15, NULL, 10) : 0;
				body = end + 4;
			}
			if (body && (long)(buf + n - body) >= len)
				break;
		}
		if (delay_ms)
			nanosleep(&(struct timespec){.tv_nsec = (long)delay_ms * 1000000L}, NULL);
		if (body && signed_well(buf, body, len)) {
			pthread_mutex_lock(&mu);
			if (nbodies < KEPT)
				bodies[nbodies++] = strndup(body, (size_t)len);
			pthread_mutex_unlock(&mu);
			count++;
		} else if (body) {
			bad++;
		}
		static const char ok[] =
		    "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
		/* The platform reads the answer only for its status; a short write
		 * shows there as a failed delivery, which a test would catch. */
		(void)!write(c, ok, sizeof(ok) - 1);
		close(c);
	}
	return NULL;
}

int test_hook_start(void)
{
	fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 64) != 0) {
		perror("webhook receiver");
		abort();
	}
	socklen_t sl = sizeof(sa);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	count = bad = delay_ms = 0;
	stop = false;
	pthread_create(&thread, NULL, loop, NULL);
	return ntohs(sa.sin_port);
}

void test_hook_end(void)
{
	stop = true;
	shutdown(fd, SHUT_RDWR);
	close(fd);
	pthread_join(thread, NULL);
	fd = -1;
	for (int i = 0; i < nbodies; i++)
		free(bodies[i]);
	nbodies = 0;
}

void test_hook_secret(const char *s)
{
	pthread_mutex_lock(&mu);
	snprintf(secret, sizeof(secret), "%s", s);
	pthread_mutex_unlock(&mu);
}

void test_hook_delay(int ms)
{
	delay_ms = ms;
}

int test_hook_count(void)
{
	return count;
}

int test_hook_bad(void)
{
	return bad;
}

int test_hook_saw(const char *text)
{
	int n = 0;
	pthread_mutex_lock(&mu);
	for (int i = 0; i < nbodies; i++)
		n += strstr(bodies[i], text) != NULL;
	pthread_mutex_unlock(&mu);
	return n;
}
