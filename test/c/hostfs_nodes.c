/*
 * Device nodes, FIFOs and sockets the host put in a volume: none opens as
 * the host's (EACCES), in any mode; stat shows what they are.
 *
 *   hostfs_nodes PATH...
 *   hostfs_nodes -r PATH...    (prints each file's contents instead)
 */
#include "common.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(int argc, char **argv) {
	if (argc > 1 && strcmp(argv[1], "-r") == 0) {
		for (int i = 2; i < argc; i++) {
			char buf[256] = {0};
			int fd = open(argv[i], O_RDONLY);
			if (fd < 0) { printf("%s: -1 %s\n", argv[i], errname(errno)); continue; }
			read(fd, buf, sizeof buf - 1);
			close(fd);
			printf("%s: %s", argv[i], buf);
		}
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		char label[4200];
		if (lstat(argv[i], &st) < 0) { printf("%s: lstat -1 %s\n", argv[i], errname(errno)); continue; }
		printf("%s: type %o\n", argv[i], st.st_mode & S_IFMT);
		int modes[] = {O_RDONLY | O_NONBLOCK, O_WRONLY | O_NONBLOCK, O_RDWR | O_NONBLOCK, O_RDONLY};
		const char *names[] = {"rdonly", "wronly", "rdwr", "rdonly-blocking"};
		for (int m = 0; m < 4; m++) {
			snprintf(label, sizeof label, "%s %s", argv[i], names[m]);
			int fd = open(argv[i], modes[m]);
			show_ok(label, fd);
			if (fd >= 0) close(fd);
		}
	}
	return 0;
}
