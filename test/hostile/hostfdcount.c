/*
 * The sandbox's host-descriptor budget as a program sees it: opens
 * argv[1] read-only until an open fails, and prints how many it opened
 * and the error ("N ENFILE"). Every open of a host file costs the Sentry
 * one descriptor from the budget; so does each hostfs instance's root
 * (the sandbox's, each volume's, each sub-container's root and volumes),
 * so the count falls by one for each root the Sentry holds.
 *
 * With a second argument "hold" it then keeps them until it is killed,
 * so that the budget stays spent.
 *
 * Must get (in a sandbox whose budget is smaller than the program's
 * RLIMIT_NOFILE): "N ENFILE", N the budget less what is already held.
 */
#include "../c/common.h"
#include <fcntl.h>

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "hold") != 0)) {
		fprintf(stderr, "usage: hostfdcount FILE [hold]\n");
		return 2;
	}
	int n = 0;
	while (open(argv[1], O_RDONLY) >= 0)
		n++;
	printf("%d %s\n", n, errname(errno));
	fflush(stdout);
	if (argc == 3)
		for (;;)
			pause();
	return 0;
}
