/*
 * Raw inet and packet sockets (raw(7), packet(7)): rawsock [MODE].
 *
 * full (the default), for a process with CAP_NET_RAW in a network
 * namespace with only lo up (natively `unshare --net`, tsvisor --net-raw):
 * socket()'s checks; an ICMP echo to 127.0.0.1 on a raw ICMP socket (the
 * request looped back, then the reply, both with their IP header), with
 * ICMP_FILTER keeping only the reply; IP_HDRINCL (a hand-made IP header);
 * a raw UDP socket; ICMPv6 echo to ::1 with ICMPV6_FILTER and
 * IPV6_CHECKSUM; AF_PACKET SOCK_RAW and SOCK_DGRAM bound to lo, a UDP
 * datagram seen as frames (outgoing, then host) with their sockaddr_ll,
 * PACKET_AUXDATA, membership, a frame sent on lo, getsockname,
 * /proc/net/packet; and the error cases (lengths, families, ifindex,
 * options, calls a packet socket has not).
 *
 * eperm: every raw and packet socket() is EPERM, and the capability sets
 * show whether CAP_NET_RAW is there. drop: the same after the process
 * drops CAP_NET_RAW from its effective set; nobody: after setuid to 65534.
 *
 * unserved: under tsvisor only, what it does not serve (PACKET_RX_RING,
 * PACKET_FANOUT, SO_ATTACH_FILTER: ENOPROTOOPT; SOCK_PACKET:
 * ESOCKTNOSUPPORT).
 */
#include "common.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#ifndef ICMP_FILTER
#define ICMP_FILTER 1
#endif
#ifndef SOL_RAW
#define SOL_RAW 255
#endif

static int lo_index;

static unsigned short csum(const void *data, size_t len)
{
	const unsigned char *p = data;
	unsigned long sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (unsigned)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (unsigned)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((unsigned short)~sum);
}

/* Waits up to 2 s for fd to be readable: 1, or 0 on timeout. */
static int readable(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return poll(&p, 1, 2000) == 1 && (p.revents & POLLIN);
}

static struct sockaddr_in lo4(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	return a;
}

/* An ICMP echo request of 8 + 16 bytes. */
static size_t echo_request(unsigned char *b, int id, int seq)
{
	struct icmphdr *h = (struct icmphdr *)b;
	memset(b, 0, 24);
	h->type = ICMP_ECHO;
	h->un.echo.id = htons((unsigned short)id);
	h->un.echo.sequence = htons((unsigned short)seq);
	memcpy(b + 8, "rawsock-payload!", 16);
	h->checksum = csum(b, 24);
	return 24;
}

/* Receives one IPv4 datagram on a raw socket and prints what it is. */
static void recv4(int fd, const char *tag)
{
	unsigned char b[256];
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	if (!readable(fd)) {
		printf("%s: nothing\n", tag);
		return;
	}
	memset(&from, 0xaa, sizeof from);
	ssize_t n = recvfrom(fd, b, sizeof b, 0, (struct sockaddr *)&from, &fl);
	if (n < 0) {
		printf("%s: -1 %s\n", tag, errname(errno));
		return;
	}
	struct iphdr *ip = (struct iphdr *)b;
	int hl = ip->ihl * 4;
	printf("%s: %zd bytes, from len %u family %d %s port %d, ip v%d hl %d proto %d ttl %d", tag, n, fl, from.sin_family,
	       inet_ntoa(from.sin_addr), ntohs(from.sin_port), ip->version, hl, ip->protocol, ip->ttl);
	if (ip->protocol == IPPROTO_ICMP && n >= hl + 8) {
		struct icmphdr *h = (struct icmphdr *)(b + hl);
		printf(", icmp type %d code %d id %d seq %d payload %s", h->type, h->code, ntohs(h->un.echo.id),
		       ntohs(h->un.echo.sequence), n >= hl + 24 && memcmp(b + hl + 8, "rawsock-payload!", 16) == 0 ? "same" : "other");
	}
	printf("\n");
}

static void drain(int fd)
{
	unsigned char b[2048];
	while (recv(fd, b, sizeof b, MSG_DONTWAIT) >= 0)
		;
}

static void creation(void)
{
	int s;
	show("raw protocol 0", socket(AF_INET, SOCK_RAW, 0));
	show("raw6 protocol 0", socket(AF_INET6, SOCK_RAW, 0));
	show("raw protocol -1", socket(AF_INET, SOCK_RAW, -1));
	show("raw protocol 263", socket(AF_INET, SOCK_RAW, 263));
	show("raw6 protocol 300", socket(AF_INET6, SOCK_RAW, 300));
	show_ok("raw icmp", s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)); close(s);
	show_ok("raw tcp", s = socket(AF_INET, SOCK_RAW, IPPROTO_TCP)); close(s);
	show_ok("raw 200", s = socket(AF_INET, SOCK_RAW, 200)); close(s);
	show_ok("raw6 icmpv6", s = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)); close(s);
	show_ok("raw nonblock cloexec", s = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP));
	show_bool("raw nonblock flag", fcntl(s, F_GETFL) & O_NONBLOCK);
	int v = -1;
	socklen_t vl = sizeof v;
	show("raw SO_TYPE", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &vl));
	printf("raw SO_TYPE value: %d\n", v);
	vl = sizeof v;
	show("raw SO_PROTOCOL", getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v, &vl));
	printf("raw SO_PROTOCOL value: %d\n", v);
	close(s);
	int sv[2];
	show("socketpair raw", socketpair(AF_INET, SOCK_RAW, IPPROTO_ICMP, sv));
	show("packet stream", socket(AF_PACKET, SOCK_STREAM, 0));
	show("packet seqpacket", socket(AF_PACKET, SOCK_SEQPACKET, 0));
	show_ok("packet raw", s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL))); close(s);
	show_ok("packet dgram", s = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP))); close(s);
	show_ok("packet raw protocol 0", s = socket(AF_PACKET, SOCK_RAW, 0)); close(s);
	show("socketpair packet", socketpair(AF_PACKET, SOCK_RAW, 0, sv));
}

static void icmp_echo(void)
{
	int s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	struct sockaddr_in to = lo4();
	unsigned char b[64];
	size_t n = echo_request(b, 0x1234, 1);
	show("echo sendto", sendto(s, b, n, 0, (struct sockaddr *)&to, sizeof to));
	/* A raw ICMP socket sees every ICMP datagram: its own request on lo, then the reply. */
	recv4(s, "echo first");
	recv4(s, "echo second");
	show_bool("echo nothing more", recv(s, b, sizeof b, MSG_DONTWAIT) < 0 && errno == EAGAIN);

	/* ICMP_FILTER: a bit per type the socket drops. */
	uint32_t filter = 1u << ICMP_ECHO, got = 0;
	socklen_t gl = sizeof got;
	show("ICMP_FILTER set", setsockopt(s, SOL_RAW, ICMP_FILTER, &filter, sizeof filter));
	show("ICMP_FILTER get", getsockopt(s, SOL_RAW, ICMP_FILTER, &got, &gl));
	printf("ICMP_FILTER value: %x len %u\n", got, gl);
	gl = 2;
	show("ICMP_FILTER get short", getsockopt(s, SOL_RAW, ICMP_FILTER, &got, &gl));
	printf("ICMP_FILTER short len %u\n", gl);
	gl = 64;
	show("ICMP_FILTER get long", getsockopt(s, SOL_RAW, ICMP_FILTER, &got, &gl));
	printf("ICMP_FILTER long len %u\n", gl);
	gl = (socklen_t)-1;
	show("ICMP_FILTER get negative", getsockopt(s, SOL_RAW, ICMP_FILTER, &got, &gl));
	show("ICMP_FILTER set negative", setsockopt(s, SOL_RAW, ICMP_FILTER, &filter, -1));
	/* (A bad pointer on another socket: Linux's failed copy zeroes the filter it was copying into.) */
	int s2 = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	show("ICMP_FILTER set bad pointer", setsockopt(s2, SOL_RAW, ICMP_FILTER, BADPTR1, 4));
	close(s2);
	n = echo_request(b, 0x1234, 2);
	show("filtered sendto", sendto(s, b, n, 0, (struct sockaddr *)&to, sizeof to));
	recv4(s, "filtered first");
	show_bool("filtered nothing more", recv(s, b, sizeof b, MSG_DONTWAIT) < 0 && errno == EAGAIN);

	/* connect, then send and read(2) without addresses; getsockname/getpeername. */
	show("raw connect", connect(s, (struct sockaddr *)&to, sizeof to));
	n = echo_request(b, 0x1234, 3);
	show("raw send connected", send(s, b, n, 0));
	show_bool("raw readable", readable(s));
	ssize_t r = read(s, b, sizeof b);
	printf("raw read: %zd type %d\n", r, r >= 28 ? b[20] : -1);
	struct sockaddr_in me;
	socklen_t ml = sizeof me;
	show("raw getsockname", getsockname(s, (struct sockaddr *)&me, &ml));
	printf("raw getsockname: len %u family %d port %d\n", ml, me.sin_family, ntohs(me.sin_port));
	ml = sizeof me;
	show("raw getpeername", getpeername(s, (struct sockaddr *)&me, &ml));
	printf("raw getpeername: %s port %d\n", inet_ntoa(me.sin_addr), ntohs(me.sin_port));
	/* epoll, edge-triggered: one edge for the request and reply that arrive. */
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLET}, out[4];
	show("raw epoll_ctl", epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
	show("raw epoll_wait idle", epoll_wait(ep, out, 4, 0));
	n = echo_request(b, 0x1234, 4);
	send(s, b, n, 0);
	int w = epoll_wait(ep, out, 4, 2000);
	printf("raw epoll_wait: %d events %x\n", w, w > 0 ? out[0].events : 0);
	drain(s);
	show("raw epoll_wait drained", epoll_wait(ep, out, 4, 0));
	close(ep);
	show("raw listen", listen(s, 1));
	show("raw accept", accept(s, NULL, NULL));
	int q = 0;
	show("raw FIONREAD", ioctl(s, FIONREAD, &q));
	printf("raw FIONREAD value: %d\n", q);
	close(s);

	/* ICMP_FILTER is a raw ICMP socket's only. */
	s = socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
	show("ICMP_FILTER on raw udp", setsockopt(s, SOL_RAW, ICMP_FILTER, &filter, sizeof filter));
	close(s);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	show("ICMP_FILTER on udp", setsockopt(s, SOL_RAW, ICMP_FILTER, &filter, sizeof filter));
	int one = 1;
	show("IP_HDRINCL on udp", setsockopt(s, IPPROTO_IP, IP_HDRINCL, &one, sizeof one));
	close(s);
}

static void hdrincl(void)
{
	int r = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	int v = -1;
	socklen_t vl = sizeof v;
	show("IPPROTO_RAW IP_HDRINCL get", getsockopt(r, IPPROTO_IP, IP_HDRINCL, &v, &vl));
	printf("IPPROTO_RAW IP_HDRINCL value: %d\n", v);
	int s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	vl = sizeof v;
	show("icmp IP_HDRINCL get", getsockopt(s, IPPROTO_IP, IP_HDRINCL, &v, &vl));
	printf("icmp IP_HDRINCL value: %d\n", v);
	int one = 1;
	show("icmp IP_HDRINCL set", setsockopt(s, IPPROTO_IP, IP_HDRINCL, &one, sizeof one));
	uint32_t filter = 1u << ICMP_ECHO;
	setsockopt(s, SOL_RAW, ICMP_FILTER, &filter, sizeof filter);
	unsigned char pkt[64];
	memset(pkt, 0, sizeof pkt);
	struct iphdr *ip = (struct iphdr *)pkt;
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 17;
	ip->protocol = IPPROTO_ICMP;
	ip->saddr = htonl(INADDR_LOOPBACK);
	ip->daddr = htonl(INADDR_LOOPBACK);
	ip->id = htons(77);
	size_t n = echo_request(pkt + 20, 0x4321, 9);
	ip->tot_len = htons((unsigned short)(20 + n));
	struct sockaddr_in to = lo4();
	show("hdrincl sendto", sendto(s, pkt, 20 + n, 0, (struct sockaddr *)&to, sizeof to));
	recv4(s, "hdrincl reply");
	/* The same through the IPPROTO_RAW socket (send only: it receives nothing). */
	n = echo_request(pkt + 20, 0x4321, 10);
	show("IPPROTO_RAW sendto", sendto(r, pkt, 20 + n, 0, (struct sockaddr *)&to, sizeof to));
	recv4(s, "IPPROTO_RAW reply");
	show("hdrincl short sendto", sendto(s, pkt, 10, 0, (struct sockaddr *)&to, sizeof to));
	show("raw sendto short address", sendto(s, pkt, 20 + n, 0, (struct sockaddr *)&to, 4));
	show("raw sendto address len 0", sendto(s, pkt, 20 + n, 0, (struct sockaddr *)&to, 0));
	int r6 = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	show("raw6 sendto address len 0", sendto(r6, pkt, 28, 0, (struct sockaddr *)&to, 0));
	close(r6);
	struct sockaddr_in6 six = {.sin6_family = AF_INET6};
	show("raw sendto inet6 address", sendto(s, pkt, 20 + n, 0, (struct sockaddr *)&six, sizeof six));
	struct sockaddr_in unix_fam = {.sin_family = AF_UNIX};
	show("raw sendto unix family", sendto(s, pkt, 20 + n, 0, (struct sockaddr *)&unix_fam, sizeof unix_fam));
	show("raw sendto bad buffer", sendto(s, BADPTR1, 28, 0, (struct sockaddr *)&to, sizeof to));
	show("raw sendto bad address", sendto(s, pkt, 28, 0, BADPTR1, sizeof to));
	show("raw sendto address too long", sendto(s, pkt, 28, 0, (struct sockaddr *)&to, 129));
	/* bind: any port (raw_bind ignores it), a local address only. */
	struct sockaddr_in b = lo4();
	b.sin_port = htons(7);
	show("raw bind port 7", bind(r, (struct sockaddr *)&b, sizeof b));
	b.sin_addr.s_addr = htonl(0x0a000001);
	show("raw bind foreign address", bind(s, (struct sockaddr *)&b, sizeof b));
	show("raw bind short", bind(s, (struct sockaddr *)&b, 8));
	close(s);
	close(r);
}

/* A raw UDP socket: the datagram a UDP socket sends, with its IP and UDP headers. */
static void raw_udp(void)
{
	int raw = socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = lo4();
	to.sin_port = htons(40999);
	show("udp sendto", sendto(u, "raw-udp", 7, 0, (struct sockaddr *)&to, sizeof to));
	unsigned char b[256];
	if (!readable(raw)) {
		printf("raw udp: nothing\n");
	} else {
		struct msghdr m = {0};
		struct iovec iov = {b, sizeof b};
		struct sockaddr_in from;
		m.msg_name = &from;
		m.msg_namelen = sizeof from;
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		ssize_t n = recvmsg(raw, &m, 0);
		printf("raw udp recvmsg: %zd namelen %u port %d dport %d data %.7s flags %x\n", n, m.msg_namelen,
		       ntohs(from.sin_port), n >= 28 ? b[22] << 8 | b[23] : -1, n >= 35 ? (char *)b + 28 : "", m.msg_flags);
	}
	/* MSG_TRUNC: the datagram's whole length. */
	sendto(u, "raw-udp", 7, 0, (struct sockaddr *)&to, sizeof to);
	readable(raw);
	show("raw recv MSG_TRUNC", recv(raw, b, 4, MSG_TRUNC));
	close(u);
	close(raw);
}

static void icmp6_echo(void)
{
	int s = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	struct icmp6_filter f;
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
	show("ICMPV6_FILTER set", setsockopt(s, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f));
	struct icmp6_filter g;
	socklen_t gl = sizeof g;
	show("ICMPV6_FILTER get", getsockopt(s, IPPROTO_ICMPV6, ICMP6_FILTER, &g, &gl));
	printf("ICMPV6_FILTER same: %d len %u\n", memcmp(&f, &g, sizeof f) == 0, gl);
	show("ICMPV6_FILTER set short", setsockopt(s, IPPROTO_ICMPV6, ICMP6_FILTER, &f, 3));
	show("ICMPV6_FILTER set long", setsockopt(s, IPPROTO_ICMPV6, ICMP6_FILTER, &f, 64));
	int v = 2;
	/* The kernel computes ICMPv6 checksums itself: IPV6_CHECKSUM is refused on ICMPv6. */
	show("IPV6_CHECKSUM on icmpv6", setsockopt(s, IPPROTO_IPV6, IPV6_CHECKSUM, &v, sizeof v));
	unsigned char b[64];
	struct icmp6_hdr *h = (struct icmp6_hdr *)b;
	memset(b, 0, sizeof b);
	h->icmp6_type = ICMP6_ECHO_REQUEST;
	h->icmp6_id = htons(0x66);
	h->icmp6_seq = htons(1);
	memcpy(b + 8, "rawsock-payload!", 16);
	struct sockaddr_in6 to = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	long r = sendto(s, b, 24, 0, (struct sockaddr *)&to, sizeof to);
	show("echo6 sendto", r);
	if (r > 0 && readable(s)) {
		struct sockaddr_in6 from;
		socklen_t fl = sizeof from;
		ssize_t n = recvfrom(s, b, sizeof b, 0, (struct sockaddr *)&from, &fl);
		char a[64];
		inet_ntop(AF_INET6, &from.sin6_addr, a, sizeof a);
		printf("echo6 reply: %zd bytes from %s len %u type %d id %d seq %d payload %s\n", n, a, fl, h->icmp6_type,
		       ntohs(h->icmp6_id), ntohs(h->icmp6_seq), memcmp(b + 8, "rawsock-payload!", 16) == 0 ? "same" : "other");
	} else if (r > 0) {
		printf("echo6 reply: nothing\n");
	}
	show_bool("echo6 nothing more", recv(s, b, sizeof b, MSG_DONTWAIT) < 0 && errno == EAGAIN);
	close(s);

	/* IPV6_CHECKSUM: an offset in the payload (even), -1 for none; at SOL_IPV6 and SOL_RAW. */
	s = socket(AF_INET6, SOCK_RAW, IPPROTO_UDP);
	socklen_t vl = sizeof v;
	show("IPV6_CHECKSUM get", getsockopt(s, IPPROTO_IPV6, IPV6_CHECKSUM, &v, &vl));
	printf("IPV6_CHECKSUM value: %d\n", v);
	v = 6;
	show("IPV6_CHECKSUM set 6", setsockopt(s, IPPROTO_IPV6, IPV6_CHECKSUM, &v, sizeof v));
	vl = sizeof v;
	v = 0;
	show("IPV6_CHECKSUM get SOL_RAW", getsockopt(s, SOL_RAW, IPV6_CHECKSUM, &v, &vl));
	printf("IPV6_CHECKSUM SOL_RAW value: %d\n", v);
	v = 3;
	show("IPV6_CHECKSUM set odd", setsockopt(s, IPPROTO_IPV6, IPV6_CHECKSUM, &v, sizeof v));
	v = -1;
	show("IPV6_CHECKSUM set SOL_RAW -1", setsockopt(s, SOL_RAW, IPV6_CHECKSUM, &v, sizeof v));
	show("IPV6_CHECKSUM set short", setsockopt(s, IPPROTO_IPV6, IPV6_CHECKSUM, &v, 2));
	show("ICMPV6_FILTER on raw udp6", setsockopt(s, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f));
	close(s);
}

static void show_ll(const char *tag, struct sockaddr_ll *a, socklen_t len)
{
	printf("%s: len %u family %d protocol %04x ifindex %s hatype %d pkttype %d halen %d\n", tag, len, a->sll_family,
	       ntohs(a->sll_protocol), a->sll_ifindex == lo_index ? "lo" : "other", a->sll_hatype, a->sll_pkttype,
	       a->sll_halen);
}

/* Reads frames from a packet socket until one holds marker (at most 50): prints it and its sockaddr_ll. */
static void frame(int p, const char *tag, const char *marker, int raw, int aux)
{
	unsigned char b[2048];
	for (int i = 0; i < 50; i++) {
		if (!readable(p)) {
			printf("%s: nothing\n", tag);
			return;
		}
		struct sockaddr_ll from;
		struct iovec iov = {b, sizeof b};
		char cbuf[256];
		struct msghdr m = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1,
				   .msg_control = cbuf, .msg_controllen = aux ? sizeof cbuf : 0};
		memset(&from, 0xaa, sizeof from);
		/* recvmsg with the auxdata, else recvfrom: both give the sockaddr_ll. */
		ssize_t n = aux ? recvmsg(p, &m, 0) : recvfrom(p, b, sizeof b, 0, (struct sockaddr *)&from, &m.msg_namelen);
		if (n < 0) {
			printf("%s: -1 %s\n", tag, errname(errno));
			return;
		}
		if (memmem(b, (size_t)n, marker, strlen(marker)) == NULL)
			continue;
		int l3 = raw ? 14 : 0;
		printf("%s: %zd bytes", tag, n);
		if (raw)
			printf(", ethertype %04x", b[12] << 8 | b[13]);
		printf(", ip proto %d\n", n > l3 + 9 ? b[l3 + 9] : -1);
		show_ll(tag, &from, m.msg_namelen);
		if (aux) {
			struct cmsghdr *c = CMSG_FIRSTHDR(&m);
			if (c == NULL) {
				printf("%s auxdata: none\n", tag);
			} else {
				struct tpacket_auxdata ad;
				memcpy(&ad, CMSG_DATA(c), sizeof ad);
				printf("%s auxdata: level %d type %d len %zu tp_len %u tp_snaplen %u mac %u net %u\n", tag, c->cmsg_level,
				       c->cmsg_type, (size_t)c->cmsg_len, ad.tp_len, ad.tp_snaplen, ad.tp_mac, ad.tp_net);
			}
		}
		return;
	}
	printf("%s: not found\n", tag);
}

static int packet_on_lo(int type, int proto)
{
	int p = socket(AF_PACKET, type, htons((unsigned short)proto));
	struct sockaddr_ll a = {.sll_family = AF_PACKET, .sll_protocol = htons((unsigned short)proto), .sll_ifindex = lo_index};
	show("packet bind lo", bind(p, (struct sockaddr *)&a, sizeof a));
	return p;
}

/* A receiver on 127.0.0.1:40998, so that no ICMP error follows the datagrams sent there. */
static int udp_sink;

static void send_udp(const char *what)
{
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in to = lo4();
	to.sin_port = htons(40998);
	sendto(u, what, strlen(what), 0, (struct sockaddr *)&to, sizeof to);
	close(u);
}

/* Sets a SOL_PACKET int option to 1 and reads it back. */
static void set_int_option(int p, int opt, const char *name)
{
	char tag[64];
	int one = 1, v = -1;
	socklen_t vl = sizeof v;
	snprintf(tag, sizeof tag, "%s set", name);
	show(tag, setsockopt(p, SOL_PACKET, opt, &one, sizeof one));
	snprintf(tag, sizeof tag, "%s get", name);
	show(tag, getsockopt(p, SOL_PACKET, opt, &v, &vl));
	printf("%s value: %d\n", name, v);
}

static void packet(void)
{
	lo_index = (int)if_nametoindex("lo");
	printf("lo index known: %d\n", lo_index > 0);
	udp_sink = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in sink = lo4();
	sink.sin_port = htons(40998);
	show("udp sink bind", bind(udp_sink, (struct sockaddr *)&sink, sizeof sink));
	int p = packet_on_lo(SOCK_RAW, ETH_P_ALL);
	struct sockaddr_ll me;
	socklen_t ml = sizeof me;
	show("packet getsockname", getsockname(p, (struct sockaddr *)&me, &ml));
	show_ll("packet getsockname", &me, ml);
	ml = 4;
	show("packet getsockname short", getsockname(p, (struct sockaddr *)&me, &ml));
	printf("packet getsockname short len %u\n", ml);
	ml = sizeof me;
	show("packet getpeername", getpeername(p, (struct sockaddr *)&me, &ml));
	int one = 1, v = -1;
	socklen_t vl = sizeof v;
	set_int_option(p, PACKET_AUXDATA, "PACKET_AUXDATA");
	set_int_option(p, PACKET_ORIGDEV, "PACKET_ORIGDEV");
	drain(p);
	send_udp("packet-marker-1");
	/* On lo each frame is seen twice: going out, then coming in. */
	frame(p, "raw frame out", "packet-marker-1", 1, 1);
	frame(p, "raw frame in", "packet-marker-1", 1, 1);

	struct tpacket_stats st;
	socklen_t sl = sizeof st;
	show("PACKET_STATISTICS", getsockopt(p, SOL_PACKET, PACKET_STATISTICS, &st, &sl));
	printf("PACKET_STATISTICS len %u\n", sl);

	/* A frame of our own on lo: an Ethernet header of zeros, then IPv4 bytes. */
	unsigned char f[64];
	memset(f, 0, sizeof f);
	f[12] = 0x08;
	memcpy(f + 14, "\x45handmade-frame", 16);
	struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP), .sll_ifindex = lo_index, .sll_halen = 6};
	show("packet sendto lo", sendto(p, f, 30, 0, (struct sockaddr *)&to, sizeof to));
	frame(p, "handmade frame", "handmade-frame", 1, 0);
	show("packet sendto short address", sendto(p, f, 30, 0, (struct sockaddr *)&to, 12));
	struct sockaddr_ll bad = to;
	bad.sll_ifindex = 9999;
	show("packet sendto bad ifindex", sendto(p, f, 30, 0, (struct sockaddr *)&bad, sizeof bad));
	show("packet send unconnected bound", send(p, f, 30, 0));
	show("packet sendto too short frame", sendto(p, f, 4, 0, (struct sockaddr *)&to, sizeof to));

	/* Membership: promiscuous mode on lo, and a multicast address. */
	struct packet_mreq mr = {.mr_ifindex = lo_index, .mr_type = PACKET_MR_PROMISC};
	show("PACKET_ADD_MEMBERSHIP promisc", setsockopt(p, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr));
	show("PACKET_DROP_MEMBERSHIP promisc", setsockopt(p, SOL_PACKET, PACKET_DROP_MEMBERSHIP, &mr, sizeof mr));
	show("PACKET_ADD_MEMBERSHIP short", setsockopt(p, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, 8));
	mr.mr_ifindex = 9999;
	show("PACKET_ADD_MEMBERSHIP bad ifindex", setsockopt(p, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr));
	show("PACKET_ADD_MEMBERSHIP bad pointer", setsockopt(p, SOL_PACKET, PACKET_ADD_MEMBERSHIP, BADPTR1, sizeof mr));
	show("PACKET_ADD_MEMBERSHIP get", getsockopt(p, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &v, &vl));
	set_int_option(p, PACKET_IGNORE_OUTGOING, "PACKET_IGNORE_OUTGOING");
	drain(p);
	send_udp("packet-marker-2");
	/* Outgoing frames ignored: only the incoming copy. */
	frame(p, "ignore-outgoing frame", "packet-marker-2", 1, 0);
	show_bool("ignore-outgoing nothing more", recv(p, f, sizeof f, MSG_DONTWAIT) < 0 && errno == EAGAIN);

	/* What a packet socket has not. */
	struct sockaddr_ll lo = {.sll_family = AF_PACKET, .sll_ifindex = lo_index};
	show("packet connect", connect(p, (struct sockaddr *)&lo, sizeof lo));
	show("packet listen", listen(p, 1));
	show("packet accept", accept(p, NULL, NULL));
	show("packet shutdown", shutdown(p, SHUT_RDWR));
	show("SOL_PACKET option 99", setsockopt(p, SOL_PACKET, 99, &one, sizeof one));

	/* bind's checks. */
	struct sockaddr_ll b = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = lo_index};
	show("packet bind short", bind(p, (struct sockaddr *)&b, 12));
	b.sll_family = AF_INET;
	show("packet bind inet family", bind(p, (struct sockaddr *)&b, sizeof b));
	b.sll_family = AF_PACKET;
	b.sll_ifindex = 9999;
	show("packet bind bad ifindex", bind(p, (struct sockaddr *)&b, sizeof b));
	b.sll_ifindex = 0;
	show("packet bind any", bind(p, (struct sockaddr *)&b, sizeof b));
	show("packet bind bad pointer", bind(p, BADPTR1, sizeof b));
	show("packet bind too long", bind(p, (struct sockaddr *)&b, 200));

	/* /proc/net/packet lists the socket under its own inode. */
	struct stat sst;
	fstat(p, &sst);
	FILE *pf = fopen("/proc/net/packet", "r");
	char line[256];
	int listed = 0, lines = 0, header = 0;
	if (pf != NULL) {
		if (fgets(line, sizeof line, pf))
			header = strncmp(line, "sk ", 3) == 0 && strstr(line, "RefCnt Type Proto  Iface R Rmem   User   Inode") != NULL;
		while (fgets(line, sizeof line, pf)) {
			unsigned long ino = 0;
			int type = 0, iface = -1;
			unsigned proto = 0, uid = 99;
			lines++;
			if (sscanf(line, "%*s %*d %d %x %d %*d %*u %u %lu", &type, &proto, &iface, &uid, &ino) == 5 && ino == sst.st_ino)
				listed = type == SOCK_RAW && proto == ETH_P_ALL && iface == 0 && uid == 0;
		}
		fclose(pf);
	}
	printf("/proc/net/packet: opened %d header %d listed %d lines %d\n", pf != NULL, header, listed, lines);
	close(p);

	/* SOCK_DGRAM: frames without their link-layer header; only incoming ones (outgoing go to ETH_P_ALL taps). */
	p = packet_on_lo(SOCK_DGRAM, ETH_P_IP);
	drain(p);
	send_udp("packet-marker-3");
	frame(p, "dgram frame", "packet-marker-3", 0, 0);
	show_bool("dgram nothing more", recv(p, f, sizeof f, MSG_DONTWAIT) < 0 && errno == EAGAIN);
	memcpy(f, "\x45handmade-dgram", 16);
	struct sockaddr_ll dto = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP), .sll_ifindex = lo_index, .sll_halen = 6};
	show("dgram sendto lo", sendto(p, f, 16, 0, (struct sockaddr *)&dto, sizeof dto));
	frame(p, "dgram handmade", "handmade-dgram", 0, 0);
	close(p);
	close(udp_sink);
}

static unsigned long long status_caps(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long v = 0;
	size_t n = strlen(field);
	while (f != NULL && fgets(line, sizeof line, f))
		if (strncmp(line, field, n) == 0 && line[n] == ':')
			v = strtoull(line + n + 1, NULL, 16);
	if (f != NULL)
		fclose(f);
	return v;
}

static void eperm(void)
{
	unsigned long long bit = 1ULL << CAP_NET_RAW;
	printf("CAP_NET_RAW in CapEff %d CapPrm %d CapBnd %d CapInh %d CapAmb %d\n", (status_caps("CapEff") & bit) != 0,
	       (status_caps("CapPrm") & bit) != 0, (status_caps("CapBnd") & bit) != 0, (status_caps("CapInh") & bit) != 0,
	       (status_caps("CapAmb") & bit) != 0);
	show("raw icmp", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
	show("raw6 icmpv6", socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6));
	show("raw protocol 0", socket(AF_INET, SOCK_RAW, 0));
	show("raw protocol 263", socket(AF_INET, SOCK_RAW, 263));
	show("packet raw", socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL)));
	show("packet dgram", socket(AF_PACKET, SOCK_DGRAM, 0));
	show("packet stream", socket(AF_PACKET, SOCK_STREAM, 0));
	show("sock_packet", socket(AF_INET, SOCK_PACKET, 0));
	int sv[2];
	show("socketpair packet", socketpair(AF_PACKET, SOCK_RAW, 0, sv));
	int s;
	show_ok("udp still", s = socket(AF_INET, SOCK_DGRAM, 0));
	close(s);
}

static void drop(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];
	syscall(SYS_capget, &h, d);
	d[0].effective &= ~(1u << CAP_NET_RAW);
	show("capset drop CAP_NET_RAW", syscall(SYS_capset, &h, d));
	eperm();
}

static void unserved(void)
{
	int p = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	struct tpacket_req req = {.tp_block_size = 4096, .tp_block_nr = 1, .tp_frame_size = 2048, .tp_frame_nr = 2};
	show("PACKET_RX_RING", setsockopt(p, SOL_PACKET, PACKET_RX_RING, &req, sizeof req));
	show("PACKET_TX_RING", setsockopt(p, SOL_PACKET, PACKET_TX_RING, &req, sizeof req));
	int v = 2;
	show("PACKET_VERSION", setsockopt(p, SOL_PACKET, PACKET_VERSION, &v, sizeof v));
	int fanout = 1;
	show("PACKET_FANOUT", setsockopt(p, SOL_PACKET, PACKET_FANOUT, &fanout, sizeof fanout));
	struct sock_filter code[] = {{BPF_RET | BPF_K, 0, 0, 0xffff}};
	struct sock_fprog prog = {1, code};
	show("SO_ATTACH_FILTER", setsockopt(p, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof prog));
	close(p);
	show("sock_packet", socket(AF_PACKET, SOCK_PACKET, htons(ETH_P_ALL)));
	show("inet sock_packet", socket(AF_INET, SOCK_PACKET, htons(ETH_P_ALL)));
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "full";
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(mode, "eperm") == 0) {
		eperm();
	} else if (strcmp(mode, "drop") == 0) {
		drop();
	} else if (strcmp(mode, "nobody") == 0) {
		show("setresuid 65534", setresgid(65534, 65534, 65534) < 0 ? -1 : setresuid(65534, 65534, 65534));
		eperm();
	} else if (strcmp(mode, "unserved") == 0) {
		unserved();
	} else {
		creation();
		icmp_echo();
		hdrincl();
		raw_udp();
		icmp6_echo();
		packet();
	}
	printf("done\n");
	return 0;
}
