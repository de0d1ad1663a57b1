/* Exit status: returning 42 from main (exit_group(42) after stdio flush). */
#include "common.h"

int main(void)
{
	printf("exiting with 42\n");
	return 42;
}
