/*
 * exit(2) with a status: the raw system call ends the (single-threaded)
 * process at once, without atexit handlers or a stdio flush, and only the
 * low 8 bits of the status count: exit(0x207) gives status 7.
 */
#include "common.h"

static void at_exit(void)
{
	printf("atexit handler ran\n");
}

int main(void)
{
	atexit(at_exit);
	printf("calling exit(2) with 0x207\n");
	/* stdout is line buffered: this stays in the buffer, and is lost */
	printf("unflushed");
	SYS(SYS_exit, 0x207);
	printf("\nexit(2) returned\n");
	return 0;
}
