/*
 * The interface ioctls (SIOCGIF*) on sockets of each family, as glibc's
 * if_nametoindex, ifconfig and programs that look up their addresses use
 * them: index, name, flags, MTU, queue length, hardware address, the IPv4
 * addresses (an AF_INET socket's alone), SIOCGIFCONF with a buffer and
 * without. Read-only: run natively in a fresh network namespace (lo up)
 * and under tsvisor, and compared.
 */
#include "common.h"
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static void one(int fd, const char *name, unsigned long req, const char *what)
{
	struct ifreq r;
	memset(&r, 0, sizeof r);
	strncpy(r.ifr_name, name, IFNAMSIZ - 1);
	if (ioctl(fd, req, &r) < 0) {
		printf("%s %s: -1 %s\n", what, name, errname(errno));
		return;
	}
	char s[32] = "";
	struct sockaddr_in *in = (struct sockaddr_in *)&r.ifr_addr;
	if (in->sin_family == AF_INET)
		inet_ntop(AF_INET, &in->sin_addr, s, sizeof s);
	printf("%s %s: int %d short 0x%x family %d %s\n", what, name, r.ifr_ifindex, (unsigned short)r.ifr_flags, r.ifr_addr.sa_family, s);
}

int main(void)
{
	int families[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};
	for (int i = 0; i < 4; i++) {
		int fd = socket(families[i], SOCK_DGRAM, 0);
		printf("family %d: %s\n", families[i], fd < 0 ? errname(errno) : "ok");
		if (fd < 0)
			continue;
		one(fd, "lo", SIOCGIFINDEX, "SIOCGIFINDEX");
		one(fd, "lo", SIOCGIFFLAGS, "SIOCGIFFLAGS");
		one(fd, "lo", SIOCGIFMTU, "SIOCGIFMTU");
		one(fd, "lo", SIOCGIFTXQLEN, "SIOCGIFTXQLEN");
		one(fd, "lo", SIOCGIFHWADDR, "SIOCGIFHWADDR");
		one(fd, "lo", SIOCGIFADDR, "SIOCGIFADDR");
		one(fd, "lo", SIOCGIFNETMASK, "SIOCGIFNETMASK");
		one(fd, "lo", SIOCGIFDSTADDR, "SIOCGIFDSTADDR");
		one(fd, "nosuch0", SIOCGIFINDEX, "SIOCGIFINDEX");
		one(fd, "nosuch0", SIOCGIFADDR, "SIOCGIFADDR");
		one(fd, "lo:9", SIOCGIFADDR, "SIOCGIFADDR");
		struct ifreq n;
		memset(&n, 0, sizeof n);
		n.ifr_ifindex = 1;
		printf("SIOCGIFNAME 1: %d %s\n", ioctl(fd, SIOCGIFNAME, &n) < 0 ? -errno : 0, n.ifr_name);
		n.ifr_ifindex = 99;
		printf("SIOCGIFNAME 99: %s\n", ioctl(fd, SIOCGIFNAME, &n) < 0 ? errname(errno) : "ok");
		char buf[400];
		struct ifconf c = {.ifc_len = sizeof buf, .ifc_buf = buf};
		int r = ioctl(fd, SIOCGIFCONF, &c);
		printf("SIOCGIFCONF: %d len %d", r, c.ifc_len);
		for (int k = 0; k < c.ifc_len / (int)sizeof(struct ifreq); k++) {
			char s[32];
			inet_ntop(AF_INET, &((struct sockaddr_in *)&c.ifc_req[k].ifr_addr)->sin_addr, s, sizeof s);
			printf(" %s=%s", c.ifc_req[k].ifr_name, s);
		}
		printf("\n");
		struct ifconf q = {.ifc_len = 0, .ifc_buf = NULL};
		printf("SIOCGIFCONF null: %d len %d\n", ioctl(fd, SIOCGIFCONF, &q), q.ifc_len);
		struct ifconf tiny = {.ifc_len = 10, .ifc_buf = buf};
		printf("SIOCGIFCONF 10 bytes: %d len %d\n", ioctl(fd, SIOCGIFCONF, &tiny), tiny.ifc_len);
		show("SIOCGIFINDEX bad pointer", ioctl(fd, SIOCGIFINDEX, BADPTR1));
		close(fd);
	}
	printf("if_nametoindex lo %u\n", if_nametoindex("lo"));
	char nm[IF_NAMESIZE];
	printf("if_indextoname 1 %s\n", if_indextoname(1, nm) == NULL ? "NULL" : nm);
	return 0;
}
